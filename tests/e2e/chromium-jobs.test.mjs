// E2E scenarios of the popup's jobs in headless Chromium (playwright-core): "Check all", guided opt-out and pages
// that do not load. Run: node --test tests/e2e/
import { defineJobScenarios } from './jobs.mjs';
import { defineFailureScenarios } from './failures.mjs';

defineJobScenarios('chromium');
defineFailureScenarios('chromium');
