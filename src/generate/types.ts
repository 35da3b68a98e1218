/**
 * Generated inputs: requests derived from the contract alone, without a recipe. A case is plain data
 * (literal values, never expressions); the engine builds, sends and judges it like any other request,
 * and the contract's validators decide whether it is a valid request or one that breaks the contract.
 */
import type { MediaTypeSpec, OperationSpec, ParameterLocation } from '../contract/model';
import type { Phase } from '../settings/config';

export type { Phase };

export interface GeneratedInputs {
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  headers: Record<string, unknown>;
  cookies: Record<string, unknown>;
  /** A JSON body; absent: none is sent. */
  body?: unknown;
}

/** A required input a case leaves out: a parameter, the whole body (`name: ''`), or a body member. */
export interface Omission {
  in: ParameterLocation | 'body';
  name: string;
}

export interface GeneratedCase {
  /** Position in the phase's sequence: with the seed, enough to make the same case again. */
  index: number;
  /** What the case does, without its value (values may stand at secret locations): `query limit: minimum − 1`. */
  label: string;
  /** A method the contract does not document for the path; absent: the operation's own. */
  method?: string;
  inputs: GeneratedInputs;
  omit?: Omission;
  /** A path value holding `/`: a server or proxy that decodes %2F routes it elsewhere (RFC 3986 §2.2 reserves `/`). */
  slashInPath?: boolean;
}

/** 32-bit FNV-1a: a per-cell seed from the run's seed, stable across runs and selections. */
export function cellSeed(seed: number, phase: Phase, operationId: string): number {
  let hash = 0x811c9dc5;
  for (const char of `${seed}:${phase}:${operationId}`) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

/** mulberry32: a small seeded generator for the coverage phase's few random choices. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Methods a path may be asked with that change nothing or something (RFC 9110 §9.3); OPTIONS and TRACE describe or echo, so they are left out. */
export const PROBED_METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH'] as const;

/** Where each parameter location's values go in a case's inputs. */
export const FIELD: Record<ParameterLocation, keyof Omit<GeneratedInputs, 'body'>> = { path: 'path', query: 'query', header: 'headers', cookie: 'cookies' };

/** The JSON media type of a request body with a schema (RFC 8259 §11, RFC 6839 §3.1 `+json`): what generated bodies are sent as. */
export function jsonRequestMedia(op: Pick<OperationSpec, 'requestBody'>): MediaTypeSpec | null {
  return op.requestBody?.content.find((c) => /^application\/(.+\+)?json\b/i.test(c.mediaType) && c.schema !== null) ?? null;
}
