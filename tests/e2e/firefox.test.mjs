// E2E scenarios in headless Firefox ESR (geckodriver, W3C WebDriver). Run: node --test tests/e2e/
import { defineScenarios } from './scenarios.mjs';
import { defineJobScenarios } from './jobs.mjs';
import { defineFailureScenarios } from './failures.mjs';
import { defineReportScenarios } from './report.mjs';

defineScenarios('firefox');
defineJobScenarios('firefox');
defineFailureScenarios('firefox');
defineReportScenarios('firefox');
