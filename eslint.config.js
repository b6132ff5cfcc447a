// Lint rules: typescript-eslint's recommended type-aware set, plus the layering rule of
// docs (lower layers never import upper ones) expressed with no-restricted-imports.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const upperLayers = ['**/cli/**', '**/app/**', '**/telephony/**', '**/control/**', '**/store/**'];

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
    files: ['src/upnp/**', 'src/base/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: upperLayers }] },
  },
  {
    // The SIP core knows nothing of telephony; only its bridge implements the Telephony Server's Line port.
    files: ['src/sip/**'],
    ignores: ['src/sip/bridge/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...upperLayers, '**/upnp/**'] }] },
  },
  {
    files: ['src/store/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/cli/**', '**/app/**', '**/upnp/**'] }] },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
);
