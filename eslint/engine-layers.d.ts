// Types of engine-layers.js for the tests that read its table.
import type { Rule } from 'eslint';

export const LAYERS: string[][];
export const ALLOWED: { file: string; reason: string }[];
export const engineLayers: Rule.RuleModule;
declare const plugin: { rules: { 'engine-layers': Rule.RuleModule } };
export default plugin;
