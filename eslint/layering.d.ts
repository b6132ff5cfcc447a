// Types of eslint/layering.js for the tests that use it.
import type { ESLint, Rule } from 'eslint';

export declare const layers: Readonly<Record<string, readonly string[]>>;
export declare function moduleOf(rel: string): string | undefined;
export declare const layeringRule: Rule.RuleModule;
declare const plugin: ESLint.Plugin;
export default plugin;
