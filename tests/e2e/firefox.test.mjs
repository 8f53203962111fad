// E2E scenarios in headless Firefox ESR (geckodriver, W3C WebDriver). Run: node --test tests/e2e/
// The jobs ("Check all", guided opt-out, pages that do not load) are in firefox-jobs.test.mjs,
// so that ./build.sh test can run the two files side by side.
import { defineScenarios } from './scenarios.mjs';
import { defineReportScenarios } from './report.mjs';
import { defineRealSiteScenarios } from './realsite.mjs';

defineScenarios('firefox');
defineRealSiteScenarios('firefox');
defineReportScenarios('firefox');
