/** The staging server's own users (deliberately unlike the mock's). */
export const STAGING = {
  secret: 'ONSWG4TFORZXIYLHNFXGOMJSGM2DKNRX',
  alice: 'stg-alice-app2fa-d41d8cd98f00',
  bob: 'stg-bob-no2fa-9e107d9d372b',
  carol: 'stg-carol-sms-e4d909c290d0',
  dave: 'stg-dave-sms-nophone-fb0b01a1',
  erin: 'stg-erin-pending-2fa-45c48cce',
  frank: 'stg-frank-sms-down-6512bd43',
};

/** What the staging server records of each request it receives. */
export interface Seen {
  at: number;
  method: string;
  path: string;
  auth: 'none' | 'unknown' | 'valid';
  status: number;
}
