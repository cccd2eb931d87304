import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // web/src/api/schema.d.ts is generated from the OpenAPI document (npm run build:client).
  { ignores: ['node_modules/**', 'cdk.out/**', '.local/**', 'coverage/**', 'web/src/api/schema.d.ts', 'web/dist/**', '.tmp/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='Date'][property.name='now']", message: 'Time comes through the clock port.' },
      ],
    },
  },
  {
    // Plain Node scripts (.ci/): Node's globals.
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    files: ['test/**', 'bench/**', 'local/**'],
    rules: { 'no-restricted-syntax': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // Tests look for control characters on purpose.
    files: ['test/**'],
    rules: { 'no-control-regex': 'off' },
  },
);
