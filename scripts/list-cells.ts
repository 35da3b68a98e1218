/** `npm run conformance -- --list [--grep ...]`: every cell, and whether the selection keeps it. */
import { loadCells } from '../src/scenarios/load-cells';
import { loadEnv, readSettings } from '../src/settings/config';

async function main(): Promise<void> {
  const settings = readSettings();
  const env = loadEnv();
  const { cells } = await loadCells(settings, env);
  for (const c of cells) {
    const recipe = c.kind === 'flow' ? `flow of ${c.flow.steps.length} steps` : c.kind === 'generated' ? `${c.phase} phase: inputs generated from the contract` : !c.recipe ? 'no recipe (not covered)' : c.recipe.skip ? `skipped: ${c.recipe.skip}` : `recipe: ${c.recipe.summary}`;
    process.stdout.write(`${c.filteredBy ? '  ' : '▸ '}${c.title}  ${c.tags.join(' ')}  ${c.filteredBy ? `filtered: ${c.filteredBy}` : recipe}\n`);
  }
  const kept = cells.filter((c) => !c.filteredBy).length;
  process.stdout.write(`${kept} of ${cells.length} cells selected\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
