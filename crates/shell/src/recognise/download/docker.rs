//! Container images a `docker`/`podman`/`nerdctl` command pulls, runs or builds.

use super::*;

pub(crate) const DOCKER_GLOBAL: OptSpec = OptSpec::new(
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
pub(crate) const DOCKER_RUN: OptSpec = OptSpec::new(
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

/// Options of `docker exec` that take a value.
pub(crate) const DOCKER_EXEC: OptSpec = OptSpec::new(
    "euw",
    &["env", "env-file", "user", "workdir", "detach-keys"],
);

/// Options of `docker commit` and `docker import` that take a value (`docker tag` has
/// none).
const DOCKER_MAKE: OptSpec = OptSpec::new("acm", &["author", "change", "message", "platform"]);

/// The operands of a scanned command line. A word the scanner keeps as a positional
/// because it is not fully static, but that is written as an option
/// (`--platform=linux/${ARCH}`, `-v$PWD:/src`), is an option with its value attached,
/// not an operand.
fn operands<'w>(cx: &Recogniser<'_>, args: &[Arg<'w>]) -> impl Iterator<Item = &'w Word> {
    let script = cx.script();
    positionals(args)
        .filter(move |w| w.as_str().is_some() || !w.display(script).starts_with('-'))
        .collect::<Vec<_>>()
        .into_iter()
}

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
            let Some(img) = operands(cx, &args).next() else {
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
                context: operands(cx, &args).next().map(|w| cx.text(w).into_owned()),
                tags: tags.iter().map(|w| cx.text(w).into_owned()).collect(),
                tag_spans: tags.iter().map(|w| w.span).collect(),
                pull: args.iter().any(|a| a.is('\0', "pull")),
                span: cmd.span,
            };
            cx.push(Fact::ImageBuild(b));
        }
        // `docker commit CONTAINER NAME`, `docker tag SOURCE NAME`, `docker import FILE
        // NAME`: the job makes an image by that name itself; a later `docker run NAME`
        // runs it, not a registry's. Recorded as a build with no Dockerfile.
        "commit" | "tag" | "import" => {
            let args = scan(rest, &DOCKER_MAKE);
            let Some(name) = operands(cx, &args).nth(1) else {
                return;
            };
            let tool = match (podman, sub) {
                (false, "commit") => "docker commit",
                (false, "tag") => "docker tag",
                (false, _) => "docker import",
                (true, "commit") => "podman commit",
                (true, "tag") => "podman tag",
                (true, _) => "podman import",
            };
            cx.push(Fact::ImageBuild(ImageBuild {
                tool,
                dockerfile: None,
                context: None,
                tags: vec![cx.text(name).into_owned()],
                tag_spans: vec![name.span],
                pull: false,
                span: cmd.span,
            }));
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

#[cfg(test)]
mod tests {
    use crate::{Analyzer, Fact};

    /// The images pulled and the names made by the script, in order.
    fn images(script: &str) -> (Vec<String>, Vec<String>) {
        let a = Analyzer::new().analyze(script);
        let mut pulled = Vec::new();
        let mut made = Vec::new();
        for f in &a.facts {
            match f {
                Fact::Image(i) => pulled.push(i.image.clone()),
                Fact::ImageBuild(b) => {
                    made.extend(b.tags.iter().map(|t| format!("{}={t}", b.tool)))
                }
                _ => {}
            }
        }
        (pulled, made)
    }

    #[test]
    fn option_with_attached_variable_value_is_not_the_image() {
        // numpy linux_qemu.yml: the image is the next word.
        let (pulled, _) = images(
            "docker run --rm --platform=linux/${ARCH} -e X=1 -v $(pwd):/numpy the_container true",
        );
        assert_eq!(pulled, ["the_container"]);
        let (pulled, _) = images("docker run -v$PWD:/src alpine:3 sh");
        assert_eq!(pulled, ["alpine:3"]);
        // A variable image is still an image.
        let (pulled, _) = images("docker run --rm \"$IMAGE\" sh");
        assert_eq!(pulled, ["$IMAGE"]);
    }

    #[test]
    fn commit_tag_and_import_make_images() {
        let (pulled, made) = images(
            "docker run --name c ubuntu:24.04 true\n\
             docker commit -m msg c the_container\n\
             docker image tag the_container local/x:1\n\
             docker import --change 'CMD x' rootfs.tar imported\n\
             podman container commit c pc",
        );
        assert_eq!(pulled, ["ubuntu:24.04"]);
        assert_eq!(
            made,
            [
                "docker commit=the_container",
                "docker tag=local/x:1",
                "docker import=imported",
                "podman commit=pc"
            ]
        );
        // No target name: nothing is named.
        let (_, made) = images("docker commit c");
        assert!(made.is_empty(), "{made:?}");
    }
}
