// SLSA provenance v1 predicates built from the CI environment, with the fields npm's libnpmpublish
// fills (lib/provenance.js, npm 10.9+). GitHub Actions: exactly npm's statement. GitLab CI: npm writes
// SLSA v0.2 there; vouch writes the same facts as SLSA v1 (one shape, and a key-signed statement must
// be v1 to carry its key), mapped field by field in docs/publishing.md.
// Everything here is what the build says about itself: consumers trust the certificate, not this.

export type CiProvider = 'github-actions' | 'gitlab-ci';

export const GITHUB_BUILD_TYPE = 'https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1';
export const GITLAB_BUILD_TYPE = 'https://github.com/npm/cli/gitlab/v0alpha1';

/** The CI the process runs in, by the variables each sets (as ci-info decides for npm). */
export function detectCi(env: NodeJS.ProcessEnv): CiProvider | undefined {
  if (env['GITHUB_ACTIONS'] === 'true') return 'github-actions';
  if (env['GITLAB_CI'] === 'true') return 'gitlab-ci';
  return undefined;
}

export interface SlsaV1Predicate {
  buildDefinition: {
    buildType: string;
    externalParameters: Record<string, unknown>;
    internalParameters?: Record<string, unknown>;
    resolvedDependencies?: { uri: string; digest: Record<string, string | undefined> }[];
  };
  runDetails: {
    builder: { id: string };
    metadata?: { invocationId?: string };
    byproducts?: { name: string; content?: string; mediaType?: string }[];
  };
}

/** The SLSA v1 predicate for `provider`, read from `env`. Absent variables stay absent in the JSON. */
export function provenancePredicate(provider: CiProvider, env: NodeJS.ProcessEnv): SlsaV1Predicate {
  return provider === 'github-actions' ? githubPredicate(env) : gitlabPredicate(env);
}

function githubPredicate(env: NodeJS.ProcessEnv): SlsaV1Predicate {
  const server = env['GITHUB_SERVER_URL'];
  const repository = env['GITHUB_REPOSITORY'];
  // GITHUB_WORKFLOW_REF = "<owner>/<repo>/<path>@<ref>": npm splits the repo-relative part at the first '@'.
  const relative = (env['GITHUB_WORKFLOW_REF'] ?? '').replace(`${repository}/`, '');
  const at = relative.indexOf('@');
  return {
    buildDefinition: {
      buildType: GITHUB_BUILD_TYPE,
      externalParameters: {
        workflow: { ref: relative.slice(at + 1), repository: `${server}/${repository}`, path: relative.slice(0, at) },
      },
      internalParameters: {
        github: {
          event_name: env['GITHUB_EVENT_NAME'],
          repository_id: env['GITHUB_REPOSITORY_ID'],
          repository_owner_id: env['GITHUB_REPOSITORY_OWNER_ID'],
        },
      },
      resolvedDependencies: [{ uri: `git+${server}/${repository}@${env['GITHUB_REF']}`, digest: { gitCommit: env['GITHUB_SHA'] } }],
    },
    runDetails: {
      builder: { id: `https://github.com/actions/runner/${env['RUNNER_ENVIRONMENT']}` },
      metadata: {
        invocationId: `${server}/${repository}/actions/runs/${env['GITHUB_RUN_ID']}/attempts/${env['GITHUB_RUN_ATTEMPT']}`,
      },
    },
  };
}

// The variables npm records as GitLab invocation parameters (it dropped user e-mail, name and commit
// messages in later releases; so does this list).
const GITLAB_PARAMETERS = [
  'CI',
  'CI_API_GRAPHQL_URL',
  'CI_API_V4_URL',
  'CI_BUILD_BEFORE_SHA',
  'CI_BUILD_ID',
  'CI_BUILD_NAME',
  'CI_BUILD_REF',
  'CI_BUILD_REF_NAME',
  'CI_BUILD_REF_SLUG',
  'CI_BUILD_STAGE',
  'CI_COMMIT_BEFORE_SHA',
  'CI_COMMIT_BRANCH',
  'CI_COMMIT_REF_NAME',
  'CI_COMMIT_REF_PROTECTED',
  'CI_COMMIT_REF_SLUG',
  'CI_COMMIT_SHA',
  'CI_COMMIT_SHORT_SHA',
  'CI_COMMIT_TIMESTAMP',
  'CI_COMMIT_TITLE',
  'CI_CONFIG_PATH',
  'CI_DEFAULT_BRANCH',
  'CI_DEPENDENCY_PROXY_DIRECT_GROUP_IMAGE_PREFIX',
  'CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX',
  'CI_DEPENDENCY_PROXY_SERVER',
  'CI_DEPENDENCY_PROXY_USER',
  'CI_JOB_ID',
  'CI_JOB_NAME',
  'CI_JOB_NAME_SLUG',
  'CI_JOB_STAGE',
  'CI_JOB_STARTED_AT',
  'CI_JOB_URL',
  'CI_NODE_TOTAL',
  'CI_PAGES_DOMAIN',
  'CI_PAGES_URL',
  'CI_PIPELINE_CREATED_AT',
  'CI_PIPELINE_ID',
  'CI_PIPELINE_IID',
  'CI_PIPELINE_SOURCE',
  'CI_PIPELINE_URL',
  'CI_PROJECT_CLASSIFICATION_LABEL',
  'CI_PROJECT_DESCRIPTION',
  'CI_PROJECT_ID',
  'CI_PROJECT_NAME',
  'CI_PROJECT_NAMESPACE',
  'CI_PROJECT_NAMESPACE_ID',
  'CI_PROJECT_PATH',
  'CI_PROJECT_PATH_SLUG',
  'CI_PROJECT_REPOSITORY_LANGUAGES',
  'CI_PROJECT_ROOT_NAMESPACE',
  'CI_PROJECT_TITLE',
  'CI_PROJECT_URL',
  'CI_PROJECT_VISIBILITY',
  'CI_REGISTRY',
  'CI_REGISTRY_IMAGE',
  'CI_REGISTRY_USER',
  'CI_RUNNER_DESCRIPTION',
  'CI_RUNNER_ID',
  'CI_RUNNER_TAGS',
  'CI_SERVER_HOST',
  'CI_SERVER_NAME',
  'CI_SERVER_PORT',
  'CI_SERVER_PROTOCOL',
  'CI_SERVER_REVISION',
  'CI_SERVER_SHELL_SSH_HOST',
  'CI_SERVER_SHELL_SSH_PORT',
  'CI_SERVER_URL',
  'CI_SERVER_VERSION',
  'CI_SERVER_VERSION_MAJOR',
  'CI_SERVER_VERSION_MINOR',
  'CI_SERVER_VERSION_PATCH',
  'CI_TEMPLATE_REGISTRY_HOST',
  'GITLAB_CI',
  'GITLAB_FEATURES',
  'GITLAB_USER_ID',
  'GITLAB_USER_LOGIN',
  'RUNNER_GENERATE_ARTIFACTS_METADATA',
] as const;

function gitlabPredicate(env: NodeJS.ProcessEnv): SlsaV1Predicate {
  const project = env['CI_PROJECT_URL'];
  const parameters: Record<string, string | undefined> = {};
  for (const name of GITLAB_PARAMETERS) parameters[name] = env[name];
  return {
    buildDefinition: {
      buildType: GITLAB_BUILD_TYPE,
      externalParameters: {
        // npm v0.2: invocation.configSource and invocation.parameters
        configSource: { uri: `git+${project}`, digest: { sha1: env['CI_COMMIT_SHA'] }, entryPoint: env['CI_JOB_NAME'] },
        parameters,
      },
      internalParameters: {
        // npm v0.2: invocation.environment
        environment: {
          name: env['CI_RUNNER_DESCRIPTION'],
          architecture: env['CI_RUNNER_EXECUTABLE_ARCH'],
          server: env['CI_SERVER_URL'],
          project: env['CI_PROJECT_PATH'],
          job: { id: env['CI_JOB_ID'] },
          pipeline: { id: env['CI_PIPELINE_ID'], ref: env['CI_CONFIG_PATH'] },
        },
      },
      // npm v0.2: materials
      resolvedDependencies: [{ uri: `git+${project}`, digest: { gitCommit: env['CI_COMMIT_SHA'] } }],
    },
    runDetails: {
      builder: { id: `${project}/-/runners/${env['CI_RUNNER_ID']}` },
      // npm v0.2: metadata.buildInvocationId
      metadata: { invocationId: env['CI_JOB_URL'] },
    },
  };
}
