import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.test-build/**', 'openapi/openapi.json', '**/.turbo/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Payload shapes from JSON, Casbin and BullMQ are `any` at the edges; zod narrows them.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-console': 'off',
      // Deep imports into another module break the boundary; scripts/check-boundaries.mjs explains.
      'no-restricted-imports': ['error', { patterns: [{ group: ['@plinto/*/src/*', '@plinto/*/src'], message: 'Import a module through its index.ts (package root).' }] }],
    },
  },
);
