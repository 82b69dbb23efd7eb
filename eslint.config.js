import tseslint from 'typescript-eslint';
import fs from 'node:fs';

// infra/aws is its own npm package: its files are linted once its dependencies are installed
// (`npm test` or `npm ci --prefix infra/aws`); before that their types do not resolve.
const infraAwsInstalled = fs.existsSync(new URL('./infra/aws/node_modules/aws-cdk-lib/package.json', import.meta.url));

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', '.cache/**', 'dist/**', 'dashboard/dist/**', 'infra/aws/cdk.out/**', ...(infraAwsInstalled ? [] : ['infra/aws/**'])] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', '*.mjs', 'bin/*.mjs', 'scripts/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
