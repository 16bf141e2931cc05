//! Rules about the build identity: what token permissions and secrets each job holds,
//! which triggers hand them to untrusted code, and where attacker-controlled text reaches
//! a script.

#[path = "broad-permissions.rs"]
mod broad_permissions;
#[path = "cache-poisoning.rs"]
mod cache_poisoning;
#[path = "dangerous-trigger.rs"]
mod dangerous_trigger;
#[path = "github-env-injection.rs"]
mod github_env_injection;
mod gitlab_job_token;
mod gitlab_secrets;
#[path = "hardcoded-credential.rs"]
mod hardcoded_credential;
#[path = "insecure-workflow-commands.rs"]
mod insecure_workflow_commands;
#[path = "long-lived-publish-token.rs"]
mod long_lived_publish_token;
#[path = "persisted-credentials.rs"]
mod persisted_credentials;
#[path = "secrets-exposure.rs"]
mod secrets_exposure;
#[path = "secrets-inherit.rs"]
mod secrets_inherit;
#[path = "self-hosted-runner-exposure.rs"]
mod self_hosted_runner_exposure;
#[path = "spoofable-bot-check.rs"]
mod spoofable_bot_check;
#[path = "template-injection.rs"]
mod template_injection;
#[path = "unsound-condition.rs"]
mod unsound_condition;
#[path = "untrusted-pipeline.rs"]
mod untrusted_pipeline;
mod util;

pub use broad_permissions::BroadPermissions;
pub use cache_poisoning::CachePoisoning;
pub use dangerous_trigger::DangerousTrigger;
pub use github_env_injection::GithubEnvInjection;
pub use hardcoded_credential::HardcodedCredential;
pub use insecure_workflow_commands::InsecureWorkflowCommands;
pub use long_lived_publish_token::LongLivedPublishToken;
pub use persisted_credentials::PersistedCredentials;
pub use secrets_exposure::SecretsExposure;
pub use secrets_inherit::SecretsInherit;
pub use self_hosted_runner_exposure::SelfHostedRunnerExposure;
pub use spoofable_bot_check::SpoofableBotCheck;
pub use template_injection::TemplateInjection;
pub use unsound_condition::UnsoundCondition;
pub use untrusted_pipeline::UntrustedPipeline;
