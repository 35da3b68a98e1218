/** `npm run conformance -- --list [--grep ...]`: every cell, and whether the selection keeps it. */
import { loadContract } from '../src/contract/plan-cache';
import { planCells, selectionFrom, selectionProblems } from '../src/scenarios/plan';
import { resolveRecipes } from '../src/scenarios/recipes';
import { ConfigError, loadEnv, readSettings } from '../src/target/config';

async function main(): Promise<void> {
  const settings = readSettings();
  const env = loadEnv();
  const selection = selectionFrom(env, settings.tags);
  const problems = selectionProblems(selection);
  if (problems.length) throw new ConfigError(problems);
  const contract = await loadContract(settings.contractFile);
  const recipes = resolveRecipes({ recipesFile: settings.recipesFile, overridesFile: settings.overridesFile }, contract);
  const cells = planCells(contract, recipes, selection);
  for (const c of cells) {
    const recipe = c.kind === 'flow' ? `flow of ${c.flow.steps.length} steps` : !c.recipe ? 'no recipe (not covered)' : c.recipe.skip ? `skipped: ${c.recipe.skip}` : `recipe: ${c.recipe.summary}`;
    process.stdout.write(`${c.filteredBy ? '  ' : '▸ '}${c.title}  ${c.tags.join(' ')}  ${c.filteredBy ? `filtered: ${c.filteredBy}` : recipe}\n`);
  }
  const kept = cells.filter((c) => !c.filteredBy).length;
  process.stdout.write(`${kept} of ${cells.length} cells selected\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
