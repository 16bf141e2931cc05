//! Table tests of the download, download-then-run and verification recognisers.

mod common;

#[test]
fn download_table() {
    let rows: &[(&str, &[&str])] = &[
        (
            "curl -fsSL https://get.example.com/install.sh | sudo bash -s -- --yes",
            &[
                "download tool=curl url=https://get.example.com/install.sh host=get.example.com stdout urlspan=https://get.example.com/install.sh at='curl -fsSL https://get.example.com/install.sh'",
                "exec how=pipe interp=bash dl=curl at='sudo bash -s -- --yes'",
            ],
        ),
        (
            "curl -sSfL https://raw.githubusercontent.com/a/b/main/x.sh | sh",
            &[
                "exec how=pipe interp=sh",
                "download host=raw.githubusercontent.com",
            ],
        ),
        (
            "curl -L https://x.io/a | python3 -",
            &["exec how=pipe interp=python3"],
        ),
        (
            "curl -L https://x.io/a | python3 process.py",
            &["!exec", "download stdout"],
        ),
        (
            "curl -s https://x.io/api | jq .version",
            &["download stdout", "#download-exec=0"],
        ),
        (
            "curl https://x.io/i.pl | perl",
            &["exec how=pipe interp=perl"],
        ),
        (
            "curl -fsSL https://deb.nodesource.com/setup_20.x | sudo -E bash -",
            &["exec how=pipe interp=bash at='sudo -E bash -'"],
        ),
        (
            "curl -fsSL https://x.io/s | tee install.sh | sh",
            &["exec how=pipe interp=sh at=sh", "download out=install.sh"],
        ),
        (
            "curl -fsSL https://x.io/s | sudo tee /usr/local/bin/s >/dev/null",
            &["#download-exec=0", "download tool=curl"],
        ),
        (
            "curl -fsSL https://x.io/s.gz | gunzip | bash",
            &["exec how=pipe interp=bash"],
        ),
        (
            "bash <(curl -fsSL https://x.io/install)",
            &[
                "exec how=procsub interp=bash at='bash <(curl -fsSL https://x.io/install)'",
                "download host=x.io stdout at='curl -fsSL https://x.io/install'",
            ],
        ),
        (
            "source <(curl -s https://x.io/env.sh)",
            &["exec how=sourced"],
        ),
        (
            "sh < <(curl -s https://x.io/a)",
            &["exec how=procsub interp=sh"],
        ),
        (
            "sh -c \"$(curl -fsSL https://raw.githubusercontent.com/ohmyzsh/ohmyzsh/master/tools/install.sh)\"",
            &[
                "exec how=cmdsub interp=sh",
                "download host=raw.githubusercontent.com",
            ],
        ),
        (
            "/bin/bash -c \"$(curl -fsSL https://raw.githubusercontent.com/Homebrew/install/HEAD/install.sh)\"",
            &["exec how=cmdsub interp=bash"],
        ),
        (
            "eval \"$(curl -fsSL https://x.io/env)\"",
            &["exec how=cmdsub interp=eval"],
        ),
        (
            "VERSION=$(curl -s https://api.github.com/repos/a/b/releases/latest | jq -r .tag_name)",
            &["download host=api.github.com stdout", "#download-exec=0"],
        ),
        (
            "wget -qO- https://x.io/tool.tar.gz | tar xz -C /usr/local/bin",
            &[
                "exec how=extracted extractor=tar dl=wget",
                "download tool=wget stdout",
            ],
        ),
        (
            "wget -q -O - https://x.io/a.sh | bash",
            &["exec how=pipe interp=bash dl=wget"],
        ),
        (
            "wget https://x.io/releases/v1/tool_linux.tar.gz",
            &["download tool=wget out=tool_linux.tar.gz host=x.io"],
        ),
        (
            "wget -P /tmp https://x.io/a/b.deb",
            &["download tool=wget out=/tmp/b.deb"],
        ),
        (
            "wget --no-check-certificate --tries=3 http://x.io/f",
            &["download tool=wget insecure retry http"],
        ),
        (
            "curl -k --retry 5 -o out.bin https://x.io/f",
            &["download tool=curl insecure retry out=out.bin"],
        ),
        (
            "curl --retry 0 https://x.io/f > f.txt",
            &["download out=f.txt", "!download retry"],
        ),
        (
            "curl -LO https://github.com/o/r/releases/download/v1.2.3/tool-linux-amd64.tar.gz",
            &["download out=tool-linux-amd64.tar.gz host=github.com"],
        ),
        (
            "curl -fsSL \"https://github.com/o/r/releases/download/${VERSION}/tool.tgz\" -o tool.tgz",
            &[
                "download host=github.com out=tool.tgz url=https://github.com/o/r/releases/download/${VERSION}/tool.tgz",
            ],
        ),
        (
            "curl -fsSL \"$INSTALL_URL\" | bash",
            &["download url=$INSTALL_URL stdout", "exec how=pipe"],
        ),
        (
            "curl -sSL ${{ inputs.url }} | bash",
            &[
                "download url='${{ inputs.url }}' urlspan='${{ inputs.url }}'",
                "exec how=pipe interp=bash",
            ],
        ),
        (
            "curl --url https://x.io/a -o a",
            &["download url=https://x.io/a out=a"],
        ),
        (
            "curl -H \"Authorization: Bearer $GITHUB_TOKEN\" https://api.github.com/user",
            &[
                "download host=api.github.com",
                "cred type=github-token via=GITHUB_TOKEN at=$GITHUB_TOKEN",
            ],
        ),
        (
            "curl -u user:pass@x https://user:pw@Example.COM:8443/path",
            &["download host=example.com"],
        ),
        (
            "curl -o /tmp/i.sh https://x.io/i.sh\nchmod +x /tmp/i.sh\n/tmp/i.sh --yes",
            &["exec how=later file=/tmp/i.sh at='/tmp/i.sh --yes'"],
        ),
        (
            "curl -sLO https://x.io/get.sh && bash get.sh",
            &["exec how=later file=get.sh at='bash get.sh'"],
        ),
        (
            "wget https://x.io/setup.sh\nsh ./setup.sh",
            &["exec how=later file=setup.sh"],
        ),
        (
            "curl -o env.sh https://x.io/env.sh\n. ./env.sh",
            &["exec how=sourced file=env.sh"],
        ),
        (
            "curl -o env.sh https://x.io/env.sh\nsource env.sh",
            &["exec how=sourced file=env.sh"],
        ),
        (
            "wget https://x.io/pkg_1.0_amd64.deb\nsudo dpkg -i pkg_1.0_amd64.deb",
            &["exec how=installed installer=dpkg file=pkg_1.0_amd64.deb"],
        ),
        (
            "curl -LO https://x.io/a.rpm && sudo rpm -ivh a.rpm",
            &["exec how=installed installer=rpm"],
        ),
        (
            "curl -Lo kubectl https://dl.k8s.io/release/v1.30.0/bin/linux/amd64/kubectl\nsudo install -m 0755 kubectl /usr/local/bin/kubectl",
            &["exec how=installed installer=install file=kubectl"],
        ),
        (
            "curl -Lo tool https://x.io/tool && chmod +x tool && sudo mv tool /usr/local/bin/",
            &["exec how=installed installer=mv file=tool"],
        ),
        (
            "curl -LO https://x.io/t.tar.gz\ntar -xzf t.tar.gz",
            &["exec how=extracted extractor=tar file=t.tar.gz"],
        ),
        // Made executable where the PATH finds it: installed.
        (
            "curl -fsSL -o /usr/local/bin/kubectl https://dl.k8s.io/kubectl && chmod +x /usr/local/bin/kubectl",
            &["exec how=installed file=/usr/local/bin/kubectl"],
        ),
        (
            "curl -fsSL -o /usr/local/bin/tool https://x.io/tool\nsudo chmod 0755 /usr/local/bin/tool",
            &["exec how=installed file=/usr/local/bin/tool"],
        ),
        // Not executable, or not on the PATH (its later run is what counts).
        (
            "curl -fsSL -o /usr/local/bin/tool https://x.io/tool\nchmod 644 /usr/local/bin/tool",
            &["#download-exec=0"],
        ),
        (
            "curl -fsSLo tool https://x.io/tool\nchmod +x tool",
            &["#download-exec=0"],
        ),
        // `gh release download` of one named asset, then unpacked.
        (
            "gh release download v1.2.3 --repo o/tool --pattern 'tool-linux.tar.gz'\ntar xzf tool-linux.tar.gz",
            &["exec how=extracted extractor=tar file=tool-linux.tar.gz"],
        ),
        (
            "gh release download v1.2.3 --repo o/tool --pattern '*.tar.gz'\ntar xzf tool-linux.tar.gz",
            &["#download-exec=0"],
        ),
        (
            "curl -LO https://x.io/t.tar.gz\ntar xzf t.tar.gz -C /opt",
            &["exec how=extracted file=t.tar.gz"],
        ),
        (
            "curl -LO https://x.io/t.zip && unzip -q t.zip",
            &["exec how=extracted extractor=unzip"],
        ),
        (
            "curl -LO https://x.io/t.sh\ncat t.sh",
            &["#download-exec=0"],
        ),
        (
            "curl -sSLo tool.tgz https://x.io/tool.tgz\necho \"$SHA  tool.tgz\" | sha256sum -c -\ntar xzf tool.tgz",
            &[
                "verify tool=sha256sum file=tool.tgz",
                "exec how=extracted verified verifier=sha256sum",
            ],
        ),
        (
            "curl -LO https://x.io/t.tgz\ncurl -LO https://x.io/t.tgz.sha256\nsha256sum -c t.tgz.sha256\ntar xf t.tgz",
            &[
                "verify tool=sha256sum file=t.tgz.sha256",
                "exec how=extracted verified",
            ],
        ),
        (
            "curl -LO https://x.io/t.tgz\ntar xf t.tgz\nsha256sum -c t.sha",
            &["exec how=extracted", "!exec verified"],
        ),
        (
            "gh release download v1.2.3 -R owner/tool -p '*linux*' -O tool.tgz",
            &[
                "download tool=gh-release-download host=github.com ref=v1.2.3 url=https://github.com/owner/tool out=tool.tgz",
            ],
        ),
        (
            "gh release download --repo cli/cli --pattern '*.deb'",
            &["download tool=gh-release-download url=https://github.com/cli/cli"],
        ),
        (
            "gh api repos/o/r/contents/x --jq .content",
            &["download tool=gh-api url=repos/o/r/contents/x host=api.github.com stdout"],
        ),
        (
            "gh api -X POST repos/o/r/dispatches -f event_type=go",
            &["cred type=gh-write sub=api", "#download=0"],
        ),
        (
            "gh api repos/o/r/issues/1/labels -f labels[]=bug",
            &["cred type=gh-write sub=api"],
        ),
        (
            "gh repo clone o/r",
            &["download tool=gh-repo-clone url=o/r host=github.com"],
        ),
        (
            "git clone https://github.com/o/r.git",
            &["download tool=git-clone url=https://github.com/o/r.git host=github.com out=r"],
        ),
        (
            "git clone --depth 1 -b v2.0 https://gitlab.com/o/r deps/r",
            &["download tool=git-clone ref=v2.0 out=deps/r host=gitlab.com"],
        ),
        (
            "git clone git@github.com:o/r.git",
            &["download tool=git-clone host=github.com"],
        ),
        // The shared host reader (`tollgate_model::addr::host_of`): `.` is the current
        // directory, not a host (this module's own reader said host `.`), a trailing
        // root dot goes, and a dynamic scheme leaves the host unknown.
        (
            "git clone --bare --quiet . \"$mirror\"",
            &["download tool=git-clone url=.", "!host=."],
        ),
        (
            "curl -fsSLO https://Example.COM./x.sh",
            &["download tool=curl host=example.com"],
        ),
        (
            "curl -fsSLO ${SCHEME}://example.com/x.sh",
            &["download tool=curl", "!host=example.com"],
        ),
        (
            "git -c http.sslVerify=false clone https://x.io/r",
            &["download tool=git-clone insecure"],
        ),
        (
            "git -C vendor fetch https://github.com/o/r main",
            &["download tool=git-fetch ref=main host=github.com"],
        ),
        ("git fetch origin main --depth=1", &["#download=0"]),
        (
            "git submodule update --init --recursive",
            &["download tool=git-submodule"],
        ),
        (
            "aws s3 cp s3://my-bucket/tools/x.tgz ./x.tgz",
            &[
                "download tool=aws-s3-cp host=my-bucket.s3.amazonaws.com out=./x.tgz url=s3://my-bucket/tools/x.tgz",
            ],
        ),
        (
            "aws s3 cp s3://b/i.sh - | bash",
            &[
                "download tool=aws-s3-cp stdout",
                "exec how=pipe interp=bash dl=aws-s3-cp",
            ],
        ),
        ("aws s3 cp dist/ s3://b/dist --recursive", &["#download=0"]),
        (
            "aws --endpoint-url https://minio.internal:9000 s3 sync s3://b/cache .cache",
            &["download tool=aws-s3-sync host=minio.internal"],
        ),
        (
            "gsutil -m cp gs://bucket/a.tgz .",
            &["download tool=gsutil-cp host=storage.googleapis.com url=gs://bucket/a.tgz"],
        ),
        (
            "gsutil cat gs://b/s.sh | sh",
            &["exec how=pipe dl=gsutil-cat"],
        ),
        (
            "gcloud storage cp gs://b/x x",
            &["download tool=gsutil-cp out=x"],
        ),
        (
            "oras pull ghcr.io/o/artifact:v1 -o out",
            &["download tool=oras-pull host=ghcr.io out=out url=ghcr.io/o/artifact:v1"],
        ),
        (
            "docker pull ubuntu:22.04",
            &["image tool=docker-pull image=ubuntu:22.04 imgspan=ubuntu:22.04"],
        ),
        (
            "docker run --rm -v \"$PWD:/src\" -w /src -e CI=1 node:20@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef npm test",
            &[
                "image tool=docker-run image=node:20@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef digest=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            ],
        ),
        (
            "docker run -it --name x --network host alpine:3 sh",
            &["image tool=docker-run image=alpine:3"],
        ),
        (
            "docker container create --platform linux/amd64 busybox",
            &["image tool=docker-create image=busybox"],
        ),
        (
            "podman pull quay.io/o/i:1",
            &["image tool=podman-pull image=quay.io/o/i:1"],
        ),
        (
            "docker build -t myimg:latest -f docker/Dockerfile --pull .",
            &[
                "build tool=docker-build file=docker/Dockerfile context=. tag=myimg:latest pull",
                "#image=0",
            ],
        ),
        (
            "docker buildx build --platform linux/arm64 -t a/b --push .",
            &["build tool=docker-build tag=a/b context=."],
        ),
        // A PowerShell line continuation read as bash: the backquote opens a command
        // substitution, and the image is whatever it prints (moby's Windows workflow,
        // whose `runs-on` is an input). No image is named, so none is reported.
        (
            "& docker run --name x -e \"A=1\" `\n  -v \".\\b:C:\\b\" `\n  img hack\\make.ps1",
            &["#image=0"],
        ),
        ("docker run $(cat image.txt) sh", &["#image=0"]),
        (
            "docker run \"$IMAGE\" sh",
            &["image tool=docker-run image=$IMAGE"],
        ),
        (
            "docker -H tcp://x:2375 pull redis",
            &["image tool=docker-pull image=redis"],
        ),
        (
            "docker push ghcr.io/o/i:1",
            &["cred type=publish tool=docker-push"],
        ),
        (
            "sha256sum -c checksums.txt --ignore-missing",
            &["verify tool=sha256sum file=checksums.txt"],
        ),
        (
            "shasum -a 256 -c tool.sha256",
            &["verify tool=shasum file=tool.sha256"],
        ),
        (
            "sha512sum --check SHA512SUMS",
            &["verify tool=sha512sum file=SHA512SUMS"],
        ),
        (
            "echo \"${{ env.SHA }}  tool.tgz\" | sha256sum --check",
            &["verify tool=sha256sum file=tool.tgz"],
        ),
        (
            "printf '%s  %s\\n' \"$H\" tool | sha256sum -c",
            &["verify tool=sha256sum file=tool"],
        ),
        ("sha256sum tool.tgz", &["#verification=0"]),
        (
            "[ \"$(sha256sum tool | cut -d' ' -f1)\" = \"$EXPECTED\" ]",
            &["verify tool=sha256sum file=tool"],
        ),
        (
            "gpg --verify tool.tgz.asc tool.tgz",
            &["verify tool=gpg file=tool.tgz"],
        ),
        ("gpg --batch --import key.asc", &["#verification=0"]),
        (
            "cosign verify-blob --certificate-identity x --certificate-oidc-issuer y --bundle b.json tool",
            &["verify tool=cosign file=tool"],
        ),
        (
            "cosign verify ghcr.io/o/i@sha256:abc",
            &["verify tool=cosign"],
        ),
        (
            "minisign -Vm tool.tgz -P RWQ...",
            &["verify tool=minisign file=tool.tgz"],
        ),
        (
            "slsa-verifier verify-artifact tool --provenance-path p.intoto.jsonl --source-uri github.com/o/r",
            &["verify tool=slsa-verifier file=tool"],
        ),
        (
            "gh attestation verify tool.tgz -R o/r",
            &["verify tool='gh attestation' file=tool.tgz"],
        ),
        (
            "cosign sign --yes ghcr.io/o/i@sha256:abc",
            &["cred type=sign tool=cosign-sign keyless"],
        ),
        (
            "cosign sign-blob --key cosign.key f",
            &["cred type=sign tool=cosign-sign-blob", "!cred keyless"],
        ),
    ];
    common::run_table(rows);
}

/// Whether a download sends data, read from its parsed options: combined short flags,
/// attached values and quoting are the option scanner's, not a split of the text.
#[test]
fn downloads_that_send_data() {
    let rows: &[(&str, &[&str])] = &[
        (
            "curl -d '{\"a\":1}' https://hooks.x.io/y",
            &["download sends"],
        ),
        ("curl -sd @body.json https://x.io/api", &["download sends"]),
        ("curl --data-binary @f https://x.io/up", &["download sends"]),
        (
            "curl --data-urlencode q=1 https://x.io/q",
            &["download sends"],
        ),
        ("curl --json '{}' https://x.io/api", &["download sends"]),
        ("curl -F file=@a.zip https://x.io/up", &["download sends"]),
        (
            "curl --form-string a=b https://x.io/up",
            &["download sends"],
        ),
        ("curl -T a.tgz https://x.io/up/", &["download sends"]),
        (
            "curl --upload-file a.tgz https://x.io/up/",
            &["download sends"],
        ),
        ("curl -XPOST https://x.io/api", &["download sends"]),
        ("curl -X 'PUT' https://x.io/api", &["download sends"]),
        (
            "curl --request=DELETE https://x.io/api",
            &["download sends"],
        ),
        ("curl -X \"$METHOD\" https://x.io/api", &["download sends"]),
        (
            "wget --post-data 'a=1' https://x.io/hook",
            &["download sends"],
        ),
        ("wget --post-file=f https://x.io/hook", &["download sends"]),
        ("wget --method=PATCH https://x.io/api", &["download sends"]),
        (
            "wget --body-data x --method PUT https://x.io/api",
            &["download sends"],
        ),
        // Fetches: a plain GET or HEAD, and options that only look like sending.
        (
            "curl -X GET -fsSLo a.tgz https://x.io/a.tgz",
            &["download", "!download sends"],
        ),
        (
            "curl --request head https://x.io/a",
            &["download", "!download sends"],
        ),
        (
            "curl -H 'X-Mode: -d' https://x.io/a",
            &["download", "!download sends"],
        ),
        (
            "curl -o -d https://x.io/a",
            &["download", "!download sends"],
        ),
        // wget's `-d` is `--debug`.
        (
            "wget -d https://x.io/a.tgz",
            &["download", "!download sends"],
        ),
        (
            "wget --method=GET https://x.io/a.tgz",
            &["download", "!download sends"],
        ),
    ];
    common::run_table(rows);
}
