// For the `allure` command line only (e.g. `npx allure known-issue --output reports/history/known-issues.json reports/allure-results`).
// The suite generates its report itself (src/report/allure-html.ts) with the same layout; a plain object
// here, because importing the `allure` package outside its command line starts that command line.
export default {
  name: 'conformance',
  output: './reports/allure-report',
  historyPath: './reports/history/allure-history.jsonl',
  knownIssuesPath: './reports/history/known-issues.json',
  plugins: {
    awesome: {
      options: {
        singleFile: true,
        groupBy: ['parentSuite', 'suite'],
      },
    },
  },
};
