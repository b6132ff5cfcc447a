// Lint rules: typescript-eslint's recommended type-aware set, plus hometel's layering (eslint/layering.js):
// which module may import which, and only through its index.ts.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import hometel from './eslint/layering.js';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'tmp/**', 'test/peers/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }] },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { hometel },
    rules: { 'hometel/layering': 'error' },
  },
  {
    // The web application reaches hometel only through the HTTP API: of src/ it may import the API's types alone
    // (src/web/schemas.ts, src/web/contact-schemas.ts …).
    files: ['ui/**/*.ts', 'ui/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '(^|/)src/(?!web/[a-z-]*schemas\\.js$)', message: 'ui/ talks to hometel through the HTTP API; only the API types (src/web/*schemas.js) may be imported' }] }],
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
);
