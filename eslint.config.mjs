import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**', 'scratch/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      // Personal data must go through Nest's logger, never console.
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-unsafe-function-type': 'off',
    },
  },
  {
    // The spreadsheet and PDF libraries load on first use (src/common/heavy-libraries.ts): imported anywhere else
    // they cost every start 0.6 s of CPU and 20 MB. Their types may be imported.
    files: ['src/**'],
    ignores: ['src/common/heavy-libraries.ts', 'src/**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: ['exceljs', 'pdfkit'].map((name) => ({ name, message: 'Via src/common/heavy-libraries.ts (geladen bij eerste gebruik).', allowTypeImports: true })) },
      ],
    },
  },
  { files: ['test/**'], rules: { 'no-console': 'off' } },
);
