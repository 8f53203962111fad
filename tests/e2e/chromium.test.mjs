// E2E scenarios in headless Chromium (playwright-core). Run: node --test tests/e2e/
import { defineScenarios } from './scenarios.mjs';
import { defineJobScenarios } from './jobs.mjs';
import { defineFailureScenarios } from './failures.mjs';
import { defineReportScenarios } from './report.mjs';

defineScenarios('chromium');
defineJobScenarios('chromium');
defineFailureScenarios('chromium');
defineReportScenarios('chromium');
