/** The contract, its recipes and the cells a run's settings select: what global setup and `--list` both start from. */
import { loadContract } from '../contract/plan-cache';
import type { ContractPlan } from '../contract/model';
import { ConfigError, type Settings } from '../settings/config';
import { planCells, selectionFrom, selectionProblems, type Cell, type Selection } from './plan';
import { loadRecipes } from './recipes-cache';
import type { Recipes } from './types';

export interface LoadedCells {
  selection: Selection;
  contract: ContractPlan;
  recipes: Recipes;
  cells: Cell[];
}

export async function loadCells(settings: Settings, env: Record<string, string | undefined>): Promise<LoadedCells> {
  const selection = selectionFrom(env, settings.tags);
  const problems = selectionProblems(selection);
  if (problems.length) throw new ConfigError(problems);
  const contract = await loadContract(settings.contractFile);
  const recipes = loadRecipes({ recipesFile: settings.recipesFile, overridesFile: settings.overridesFile }, contract);
  return { selection, contract, recipes, cells: planCells(contract, recipes, selection, { phases: settings.phases, fuzzRuns: settings.fuzzRuns }) };
}
