/** A contract that cannot drive a run: names the file and the problem. */
export class ContractError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`Contract ${file}: ${problem}`);
    this.name = 'ContractError';
    this.stack = `${this.name}: ${this.message}`;
  }
}
