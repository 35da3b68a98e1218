/**
 * The recipe for every documented response: from the recipes files when they
 * have one, else derived from the contract where the contract alone says how
 * (the 401 of a secured operation, the 404 of a GET by uuid), else none (the
 * response is "not covered").
 */
import { isSafeMethod, isSecured, type ContractPlan, type OperationSpec } from '../contract/model';
import { loadRecipeLayers, type RecipeSources } from './recipes-file';
import { INVALID_CREDENTIAL, NO_CREDENTIAL, type Flow, type Recipe, type Recipes } from './types';

/** The 401 of an operation that always requires authentication: no credential, then one the server cannot know. */
function unauthorized(op: OperationSpec, key: string): Recipe {
  // Authentication is under test: a required body the contract gives no example of is left out rather than invented.
  const bodyless = Boolean(op.requestBody?.required) && !op.requestBody?.content.some((c) => c.example !== undefined);
  return {
    key,
    summary: `the same request without a credential, then with one the server cannot know${bodyless ? ' (without the required body: authentication comes first)' : ''}`,
    ...(bodyless ? { invalid: true } : {}),
    origin: { derived: `${op.operationId} requires authentication (no security alternative is empty)` },
    send: 'all',
    // Authentication is what is under test: a server that ignored it would act on an unsafe request.
    writes: !isSafeMethod(op.method),
    candidates: [
      { label: 'no credential', as: NO_CREDENTIAL },
      { label: 'unknown credential', as: INVALID_CREDENTIAL },
    ],
  };
}

/** The 404 of a GET addressed by a uuid: a fresh random uuid names no resource. */
function notFound(op: OperationSpec, key: string, defaultAs: string | null): Recipe | null {
  if (op.method !== 'GET') return null;
  const id = op.parameters.find((p) => p.in === 'path' && typeof p.schema === 'object' && p.schema !== null && p.schema.format === 'uuid');
  if (!id) return null;
  return {
    key,
    summary: `a GET of a ${id.name} no server has: a fresh random uuid`,
    origin: { derived: `${op.operationId} is a GET addressed by {${id.name}}, a uuid` },
    ...(isSecured(op) && defaultAs ? { as: defaultAs } : {}),
    writes: false,
    path: { [id.name]: { $fresh: 'uuid' } },
  };
}

export function deriveRecipe(op: OperationSpec, status: string, defaultAs: string | null): Recipe | null {
  const key = `${op.operationId} ${status}`;
  if (status === '401' && isSecured(op)) return unauthorized(op, key);
  if (status === '404') return notFound(op, key, defaultAs);
  return null;
}

export function resolveRecipes(sources: RecipeSources, plan: ContractPlan): Recipes {
  const { doc, definedIn, ...layers } = loadRecipeLayers(sources, plan);
  const recipes: Record<string, Recipe> = {};
  for (const op of plan.operations) {
    for (const response of op.responses) {
      const key = `${op.operationId} ${response.status}`;
      const def = doc.recipes?.[key];
      if (def) recipes[key] = { ...def, key, summary: def.summary ?? (def.flow ? `provoked in flow ${def.flow}` : (def.skip ?? '')), origin: { file: definedIn(['recipes', key]).file } };
      else {
        const derived = deriveRecipe(op, response.status, layers.defaultAs);
        if (derived) recipes[key] = derived;
      }
    }
  }
  const flows: Flow[] = Object.entries(doc.flows ?? {}).map(([id, def]) => ({
    ...def,
    id,
    summary: def.summary ?? def.skip ?? '',
    steps: def.steps ?? [],
    origin: { file: definedIn(['flows', id]).file },
  }));
  return { ...layers, recipes, flows };
}
