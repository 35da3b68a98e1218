// Allure 3 report configuration (the results folder is passed on the command line:
// allure 3.14 rejects `resultsDir` here, see STACK-NOTES).
import { defineConfig } from 'allure';

export default defineConfig({
  name: 'metal-otp-contract: OTP conformance',
  output: process.env.ALLURE_OUTPUT ?? './reports/allure-report',
  plugins: {
    awesome: {
      options: {
        reportName: 'metal-otp-contract: OTP conformance',
        // One self-contained index.html: opens from disk, no server needed.
        singleFile: true,
        groupBy: ['parentSuite', 'suite', 'subSuite'],
      },
    },
  },
  // Categories key off the `violation` label the suite sets from each Failure's kind.
  categories: {
    rules: [
      { name: 'Contract violations', matchers: { labels: { violation: 'contract' } } },
      { name: 'Unexpected status for the scenario', matchers: { labels: { violation: 'unexpected_status' } } },
      { name: 'Behaviour violations (stateful)', matchers: { labels: { violation: 'behaviour' } } },
      { name: 'Transport errors', matchers: { labels: { violation: 'transport' } } },
      { name: 'Coverage gaps', matchers: { labels: { violation: 'coverage' } } },
    ],
  },
});
