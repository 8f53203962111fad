// E2E scenarios in headless Chromium (playwright-core). Run: node --test tests/e2e/
// The jobs ("Check all", guided opt-out, pages that do not load) are in chromium-jobs.test.mjs,
// so that ./build.sh test can run the two files side by side.
import { defineScenarios } from './scenarios.mjs';
import { defineReportScenarios } from './report.mjs';
import { defineRealSiteScenarios } from './realsite.mjs';

defineScenarios('chromium');
defineRealSiteScenarios('chromium');
defineReportScenarios('chromium');
