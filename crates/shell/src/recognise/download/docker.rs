//! Container images a `docker`/`podman`/`nerdctl` command pulls, runs or builds.

use super::*;

const DOCKER_GLOBAL: OptSpec = OptSpec::new(
    "Hcl",
    &[
        "host",
        "config",
        "context",
        "log-level",
        "tlscacert",
        "tlscert",
        "tlskey",
    ],
);
const DOCKER_RUN: OptSpec = OptSpec::new(
    "evwpuhlm",
    &[
        "env",
        "volume",
        "workdir",
        "publish",
        "name",
        "network",
        "net",
        "user",
        "entrypoint",
        "env-file",
        "platform",
        "mount",
        "label",
        "add-host",
        "cpus",
        "memory",
        "gpus",
        "runtime",
        "hostname",
        "ulimit",
        "device",
        "cap-add",
        "cap-drop",
        "security-opt",
        "shm-size",
        "ipc",
        "pid",
        "restart",
        "log-driver",
        "log-opt",
        "tmpfs",
        "volumes-from",
        "link",
        "dns",
        "pull",
        "stop-signal",
        "health-cmd",
        "cidfile",
        "expose",
        "group-add",
        "label-file",
        "attach",
        "cpu-shares",
        "memory-swap",
        "userns",
        "uts",
        "cgroupns",
        "stop-timeout",
        "network-alias",
        "mac-address",
        "ip",
        "storage-opt",
        "sysctl",
        "cpuset-cpus",
        "annotation",
        "detach-keys",
    ],
);
const DOCKER_BUILD: OptSpec = OptSpec::new(
    "tfom",
    &[
        "tag",
        "file",
        "build-arg",
        "target",
        "platform",
        "label",
        "cache-from",
        "cache-to",
        "output",
        "secret",
        "ssh",
        "progress",
        "network",
        "iidfile",
        "metadata-file",
        "builder",
        "add-host",
        "shm-size",
        "ulimit",
        "memory",
        "cgroup-parent",
        "build-context",
        "annotation",
        "attest",
    ],
);

pub(crate) fn docker(cx: &mut Recogniser<'_>, cmd: &Command) {
    let all = cmd.args();
    let global = scan(all, &DOCKER_GLOBAL);
    let Some(sub_pos) = global.iter().position(|a| matches!(a, Arg::Pos(_))) else {
        return;
    };
    let sub_word = global[sub_pos].word();
    let Some(start) = all.iter().position(|w| std::ptr::eq(w, sub_word)) else {
        return;
    };
    let mut sub = sub_word.as_str().unwrap_or("");
    let mut rest = &all[start + 1..];
    // `docker container run`, `docker image pull`, `docker buildx build`.
    if matches!(sub, "container" | "image" | "buildx")
        && let Some(s) = rest.first().and_then(Word::as_str)
    {
        sub = s;
        rest = &rest[1..];
    }
    let engine = cmd.name().unwrap_or("docker");
    let podman = engine == "podman";
    match sub {
        "pull" | "run" | "create" => {
            let args = scan(rest, &DOCKER_RUN);
            let Some(img) = positionals(&args).next() else {
                return;
            };
            // A word that is only a command substitution (`$(cat image.txt)`, or a
            // PowerShell line continuation read as bash) names no image at all; one with
            // variables or expressions still shows its registry and name.
            if img.as_str().is_none() && img.variables.is_empty() && !img.has_expression {
                return;
            }
            let image = cx.text(img).into_owned();
            let digest = tollgate_model::addr::ImageRef::parse(&image)
                .digest
                .map(str::to_owned);
            let tool = match (podman, sub) {
                (false, "pull") => "docker pull",
                (false, "run") => "docker run",
                (false, _) => "docker create",
                (true, "pull") => "podman pull",
                (true, "run") => "podman run",
                (true, _) => "podman create",
            };
            cx.push(Fact::Image(Image {
                tool,
                image,
                digest,
                image_span: img.span,
                span: cmd.span,
            }));
        }
        "build" => {
            let args = scan(rest, &DOCKER_BUILD);
            let tags: Vec<&Word> = args
                .iter()
                .filter(|a| a.is('t', "tag"))
                .filter_map(|a| a.value().map(|v| v.word))
                .collect();
            let b = ImageBuild {
                tool: if podman {
                    "podman build"
                } else {
                    "docker build"
                },
                dockerfile: args
                    .iter()
                    .find(|a| a.is('f', "file"))
                    .and_then(Arg::value_text)
                    .map(str::to_owned),
                context: positionals(&args).next().map(|w| cx.text(w).into_owned()),
                tags: tags.iter().map(|w| cx.text(w).into_owned()).collect(),
                tag_spans: tags.iter().map(|w| w.span).collect(),
                pull: args.iter().any(|a| a.is('\0', "pull")),
                span: cmd.span,
            };
            cx.push(Fact::ImageBuild(b));
        }
        "push" => credential::publish(
            cx,
            cmd,
            if podman { "podman push" } else { "docker push" },
            false,
        ),
        _ => {}
    }
}
