/** Post-processing of the generated Allure HTML. */
import { readFileSync, writeFileSync } from 'node:fs';

// Allure 3's awesome template always embeds Google Analytics (analyticsEnable is hard-coded true);
// a conformance report about credentials must not call a third party when someone opens it.
const ANALYTICS = /<script async src="https:\/\/www\.googletagmanager\.com\/[^"]*"><\/script>\s*<script>[\s\S]*?gtag\('config'[\s\S]*?<\/script>/g;

export function stripAnalytics(file: string): number {
  const html = readFileSync(file, 'utf8');
  let removed = 0;
  const cleaned = html.replace(ANALYTICS, () => {
    removed++;
    return '';
  });
  if (removed) writeFileSync(file, cleaned);
  return removed;
}
