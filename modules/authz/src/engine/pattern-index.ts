export { PatternIndex } from '@plinto/sdk/policy';
