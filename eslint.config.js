// Lint rules: typescript-eslint's recommended set on every TypeScript file.
// Type-aware rules are left to `npm run typecheck` (tsc --noEmit) to keep lint fast.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'circuits/build/', 'coverage/', 'data/', '.courtyard/', 'src/client/vendor/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      // Tests and GraphQL result shapes use `any` on purpose; production code avoids it by review.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
