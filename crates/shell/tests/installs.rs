//! Table tests of the package-manager recognisers.

mod common;

#[test]
fn python_table() {
    let rows: &[(&str, &[&str])] = &[
        (
            "pip install requests==2.31.0 'flask>=2' numpy",
            &[
                "install mgr=pip sub=install pkg=requests|==2.31.0 pkg=flask|>=2 pkg=numpy pkgspan=requests==2.31.0",
            ],
        ),
        (
            "pip3 install -r requirements.txt",
            &["install mgr=pip req=requirements.txt", "!install locked"],
        ),
        // PEP 508, read as the requirements reader reads it (`tollgate_model::pep508`):
        // parentheses are no part of the version, and `name@url` needs no spaces. This
        // module's own reader kept `(==1.0)` and named the second package `p.whl`.
        (
            "pip install 'pkg (==1.0)' 'other@https://e.com/p.whl' 'black [d] >= 24'",
            &["install mgr=pip sub=install pkg=pkg|==1.0 pkg=other#url pkg=black|>=24"],
        ),
        (
            "pip install --require-hashes -r requirements.lock",
            &["install mgr=pip locked hashes req=requirements.lock"],
        ),
        (
            "python -m pip install --upgrade pip",
            &["install mgr=pip pkg=pip"],
        ),
        (
            "python3 -m pip install -e .[dev]",
            &["install mgr=pip pkg=.[dev]#path"],
        ),
        (
            "python3.12 -m pip install --user pipx",
            &["install mgr=pip pkg=pipx"],
        ),
        (
            "pip install --index-url https://pypi.internal/simple --extra-index-url https://pypi.org/simple foo",
            &[
                "install mgr=pip index=https://pypi.internal/simple extra=https://pypi.org/simple indexspan=https://pypi.internal/simple",
            ],
        ),
        (
            "pip install -i https://mirror/simple --trusted-host mirror foo",
            &["install index=https://mirror/simple trusted=mirror insecure"],
        ),
        (
            "pip install --find-links ./wheels --no-index foo",
            &["install findlinks=./wheels", "!install locked"],
        ),
        (
            "pip install --no-index dist/foo-1.0-py3-none-any.whl",
            &["install locked pkg=dist/foo-1.0-py3-none-any.whl#file"],
        ),
        (
            "pip install git+https://github.com/o/r.git@0123456789abcdef0123456789abcdef01234567#egg=r",
            &["install pkg=r#git pkg=r|0123456789abcdef0123456789abcdef01234567"],
        ),
        (
            "pip install https://x.io/pkg-1.0.tar.gz",
            &["install pkg=pkg-1.0.tar.gz#url"],
        ),
        (
            "pip install --retries 10 -c constraints.txt foo",
            &["install retry constraint=constraints.txt"],
        ),
        (
            "sudo pip install ansible",
            &["install mgr=pip global pkg=ansible"],
        ),
        (
            "export PIP_INDEX_URL=https://pypi.corp/simple\npip install foo",
            &[
                "install mgr=pip index=https://pypi.corp/simple env=PIP_INDEX_URL indexspan=https://pypi.corp/simple",
            ],
        ),
        (
            "PIP_EXTRA_INDEX_URL=\"https://a/simple https://b/simple\" pip install foo",
            &["install extra=https://a/simple extra=https://b/simple"],
        ),
        (
            "PIP_INDEX_URL=https://not-exported/simple\npip install foo",
            &["!install index=https://not-exported/simple"],
        ),
        (
            "pip config set global.index-url https://m/simple\npip install x",
            &["install index=https://m/simple"],
        ),
        (
            "pip install 'foo[extra]==1.0; python_version>\"3.8\"'",
            &["install pkg=foo|==1.0"],
        ),
        (
            "pip download -d wheels foo==1",
            &["install sub=download pkg=foo|==1"],
        ),
        ("pip freeze > req.txt", &["#install=0"]),
        (
            "uv pip install --system ruff==0.4.0",
            &["install mgr=uv sub='pip install' pkg=ruff|==0.4.0 global"],
        ),
        (
            "uv pip sync requirements.txt",
            &["install mgr=uv sub='pip sync' req=requirements.txt"],
        ),
        (
            "uv sync --locked --all-extras",
            &["install mgr=uv sub=sync locked"],
        ),
        ("uv sync", &["install mgr=uv sub=sync", "!install locked"]),
        (
            "UV_FROZEN=1 uv sync",
            &["install mgr=uv locked env=UV_FROZEN"],
        ),
        (
            "UV_INDEX_URL=https://idx/simple uv pip install x",
            &["install mgr=uv index=https://idx/simple"],
        ),
        (
            "uv tool install ruff@0.4.0",
            &["install mgr=uv sub='tool install' global"],
        ),
        (
            "uvx ruff@0.5.0 check .",
            &["install mgr=uv sub=uvx pkg=ruff|==0.5.0"],
        ),
        (
            "uvx --from 'black==24.1' black --check .",
            &["install mgr=uv pkg=black|==24.1", "!install pkg=check"],
        ),
        (
            "uv run --with pytest-cov pytest",
            &["install mgr=uv sub=run pkg=pytest-cov"],
        ),
        ("uv run pytest", &["#install=0"]),
        ("uv add httpx", &["install mgr=uv sub=add pkg=httpx"]),
        (
            "uv python install 3.12",
            &["install mgr=uv sub='python install' pkg=3.12"],
        ),
        (
            "pipx install poetry==1.8.2",
            &["install mgr=pipx pkg=poetry|==1.8.2 global"],
        ),
        (
            "pipx run --spec cowsay==6.0 cowsay hi",
            &[
                "install mgr=pipx sub=run pkg=cowsay|==6.0",
                "!install pkg=hi",
            ],
        ),
        (
            "pipx run pycowsay moo",
            &["install mgr=pipx pkg=pycowsay", "!install pkg=moo"],
        ),
        (
            "poetry install --no-root --with dev",
            &["install mgr=poetry sub=install locked"],
        ),
        (
            "poetry add requests@^2.31",
            &[
                "install mgr=poetry sub=add pkg=requests|^2.31",
                "!install locked",
            ],
        ),
        (
            "pipenv install --deploy --system",
            &["install mgr=pipenv locked global"],
        ),
        (
            "pipenv install requests",
            &["install mgr=pipenv pkg=requests", "!install locked"],
        ),
        ("pipenv sync", &["install mgr=pipenv locked"]),
        (
            "poetry publish --build",
            &["cred type=publish tool=poetry-publish"],
        ),
        ("twine upload dist/*", &["cred type=publish tool=twine"]),
    ];
    common::run_table(rows);
}

/// Each Python tool reads its own options: the table was the union of pip's, uv's,
/// pipx's and pipenv's, so an option that takes a value in one tool swallowed the next
/// word in another (pipx's `-f` is `--force`, pip's `-f` is `--find-links`), and options
/// missing from the union left their value behind as a package.
#[test]
fn python_tools_read_their_own_options() {
    let rows: &[(&str, &[&str])] = &[
        (
            "pipx install -f black",
            &["install mgr=pipx pkg=black global"],
        ),
        (
            "pipx install -e --force ./tool",
            &["install mgr=pipx pkg=./tool#path"],
        ),
        (
            "pip install --root-user-action ignore requests",
            &["install mgr=pip pkg=requests", "!install pkg=ignore"],
        ),
        (
            "pip install -f ./wheels foo",
            &[
                "install mgr=pip findlinks=./wheels pkg=foo",
                "!install pkg=./wheels",
            ],
        ),
        (
            "uv add --optional test pytest",
            &["install mgr=uv sub=add pkg=pytest", "!install pkg=test"],
        ),
        (
            "uv pip install --force-reinstall --no-binary :all: sqlalchemy",
            &["install mgr=uv pkg=sqlalchemy", "!install pkg=:all:"],
        ),
        (
            "pipenv install --categories dev requests",
            &["install mgr=pipenv pkg=requests", "!install pkg=dev"],
        ),
    ];
    common::run_table(rows);
}

/// yarn, pnpm and bun read their own options, not npm's: pnpm's `-w` is the flag
/// `--workspace-root` (npm's `-w` takes a workspace) and pnpm's `-F` takes a filter.
#[test]
fn javascript_tools_read_their_own_options() {
    let rows: &[(&str, &[&str])] = &[
        (
            "pnpm add -w typescript",
            &["install mgr=pnpm sub=add pkg=typescript"],
        ),
        (
            "pnpm -F web add zod",
            &["install mgr=pnpm sub=add pkg=zod", "!install pkg=web"],
        ),
        (
            "npm install -w packages/app lodash",
            &["install mgr=npm pkg=lodash", "!install pkg=packages/app"],
        ),
    ];
    common::run_table(rows);
}

#[test]
fn javascript_table() {
    let rows: &[(&str, &[&str])] = &[
        ("npm ci", &["install mgr=npm sub=ci locked at='npm ci'"]),
        (
            "npm install",
            &["install mgr=npm sub=install", "!install locked"],
        ),
        (
            "npm i -g @angular/cli@17.1.0 typescript",
            &[
                "install mgr=npm global pkg=@angular/cli|17.1.0 pkg=typescript pkgspan=@angular/cli@17.1.0",
            ],
        ),
        (
            "npm install --save-dev eslint@^8",
            &["install pkg=eslint|^8"],
        ),
        (
            "npm install github:o/r#0123456789abcdef0123456789abcdef01234567",
            &["install pkg=github:o/r#git pkg=github:o/r|0123456789abcdef0123456789abcdef01234567"],
        ),
        ("npm install o/r", &["install pkg=o/r#git"]),
        (
            "npm install ./local-pkg ../x.tgz",
            &["install pkg=./local-pkg#path pkg=../x.tgz#file"],
        ),
        (
            "npm install --registry https://npm.corp/ foo",
            &["install registry=https://npm.corp/ indexspan=https://npm.corp/"],
        ),
        ("npm ci --fetch-retries=5", &["install locked retry"]),
        (
            "NPM_CONFIG_REGISTRY=https://r.example/ npm ci",
            &["install registry=https://r.example/ env=NPM_CONFIG_REGISTRY"],
        ),
        (
            "export npm_config_registry=https://r2/\nnpm install",
            &["install registry=https://r2/"],
        ),
        (
            "npm config set registry https://r3/\nnpm ci",
            &["install sub=ci registry=https://r3/"],
        ),
        ("npm run build", &["#install=0"]),
        ("npm test", &["#install=0"]),
        ("npm update", &["install sub=update"]),
        (
            "npm exec --package=cowsay@1.5.0 -- cowsay hi",
            &["install sub=exec pkg=cowsay|1.5.0"],
        ),
        (
            "npm publish --provenance --access public",
            &["cred type=publish tool=npm-publish oidc"],
        ),
        (
            "npm publish",
            &["cred type=publish tool=npm-publish", "!cred oidc"],
        ),
        (
            "npx prettier@3.2.5 --check .",
            &["install mgr=npx pkg=prettier|3.2.5"],
        ),
        (
            "npx --yes create-react-app my-app",
            &[
                "install mgr=npx pkg=create-react-app",
                "!install pkg=my-app",
            ],
        ),
        (
            "npx -p @commitlint/cli@19 commitlint --from HEAD~1",
            &["install mgr=npx pkg=@commitlint/cli|19"],
        ),
        (
            "yarn install --frozen-lockfile",
            &["install mgr=yarn sub=install locked"],
        ),
        ("yarn --immutable", &["install mgr=yarn locked"]),
        ("yarn", &["install mgr=yarn sub=install", "!install locked"]),
        (
            "yarn add lodash@4.17.21",
            &["install mgr=yarn sub=add pkg=lodash|4.17.21"],
        ),
        (
            "yarn global add serve",
            &["install mgr=yarn global pkg=serve"],
        ),
        // One package; `app` is its argument.
        (
            "yarn dlx create-vite app",
            &[
                "install mgr=yarn sub=dlx pkg=create-vite",
                "!install pkg=app",
            ],
        ),
        ("yarn build", &["#install=0"]),
        (
            "YARN_NPM_REGISTRY_SERVER=https://y/ yarn install --immutable",
            &["install registry=https://y/ locked"],
        ),
        ("yarn npm publish", &["cred type=publish tool=yarn-publish"]),
        (
            "pnpm install --frozen-lockfile",
            &["install mgr=pnpm locked"],
        ),
        ("pnpm i", &["install mgr=pnpm locked"]),
        (
            "pnpm install --no-frozen-lockfile",
            &["install mgr=pnpm", "!install locked"],
        ),
        (
            "pnpm add -D vitest@1.2.0",
            &[
                "install mgr=pnpm sub=add pkg=vitest|1.2.0",
                "!install locked",
            ],
        ),
        (
            "pnpm dlx degit user/repo dir",
            &[
                "install mgr=pnpm sub=dlx pkg=degit",
                "!install pkg=user/repo#git",
            ],
        ),
        ("pnpm run lint", &["#install=0"]),
        ("bun install --frozen-lockfile", &["install mgr=bun locked"]),
        ("bun add zod", &["install mgr=bun pkg=zod"]),
        ("bunx cowsay hi", &["install mgr=bun pkg=cowsay"]),
        (
            "corepack enable\ncorepack prepare pnpm@8.15.0 --activate",
            &["install mgr=corepack pkg=pnpm|8.15.0"],
        ),
    ];
    common::run_table(rows);
}

#[test]
fn other_ecosystems_table() {
    let rows: &[(&str, &[&str])] = &[
        (
            "cargo install cargo-deny --locked",
            &["install mgr=cargo sub=install pkg=cargo-deny locked global"],
        ),
        (
            "cargo install cargo-nextest --version 0.9.67 --locked",
            &["install pkg=cargo-nextest|0.9.67"],
        ),
        (
            "cargo install ripgrep@14.1.0",
            &["install pkg=ripgrep|14.1.0", "!install locked"],
        ),
        (
            "cargo install --git https://github.com/o/tool --rev abc123 tool",
            &["install pkg=https://github.com/o/tool#git pkg=https://github.com/o/tool|abc123"],
        ),
        (
            "cargo install --path crates/cli",
            &["install pkg=crates/cli#path"],
        ),
        (
            "cargo +nightly install cargo-fuzz",
            &["install pkg=cargo-fuzz"],
        ),
        (
            "cargo binstall -y cargo-llvm-cov@0.6.0",
            &["install sub=binstall pkg=cargo-llvm-cov|0.6.0"],
        ),
        (
            "cargo build --locked --release",
            &["install mgr=cargo sub=build locked"],
        ),
        (
            "cargo test --workspace",
            &["install mgr=cargo sub=test", "!install locked"],
        ),
        ("cargo fetch --locked", &["install sub=fetch locked"]),
        (
            "CARGO_NET_RETRY=10 cargo fetch",
            &["install retry env=CARGO_NET_RETRY"],
        ),
        (
            "export CARGO_REGISTRIES_CORP_INDEX=sparse+https://cargo.corp/index/\ncargo build --locked",
            &["install registry=sparse+https://cargo.corp/index/"],
        ),
        (
            "cargo publish --token \"$CRATES_TOKEN\"",
            &["cred type=publish tool=cargo-publish"],
        ),
        (
            "rustup toolchain install nightly-2024-05-01 --profile minimal -c clippy",
            &["install mgr=rustup sub='toolchain install' pkg=nightly-2024-05-01 pkg=clippy"],
        ),
        (
            "rustup target add wasm32-unknown-unknown",
            &["install mgr=rustup sub='target add' pkg=wasm32-unknown-unknown"],
        ),
        (
            "go install golang.org/x/tools/cmd/goimports@v0.20.0",
            &["install mgr=go sub=install pkg=golang.org/x/tools/cmd/goimports|v0.20.0 global"],
        ),
        (
            "go install github.com/o/tool@latest",
            &["install pkg=github.com/o/tool|latest"],
        ),
        (
            "go get -u github.com/o/lib",
            &["install sub=get pkg=github.com/o/lib"],
        ),
        ("go mod download", &["install sub='mod download' locked"]),
        (
            "go run github.com/o/gen@v1.0.0 -out x",
            &["install sub=run pkg=github.com/o/gen|v1.0.0"],
        ),
        ("go build ./...", &["#install=0"]),
        (
            "GOPROXY=https://proxy.corp,direct GOFLAGS=-insecure go mod download",
            &["install proxy=https://proxy.corp insecure env=GOFLAGS"],
        ),
        (
            "export GONOSUMDB=corp.example/*\nexport GOPRIVATE=corp.example/*\ngo install corp.example/x@v1",
            &["install env=GONOSUMDB env=GOPRIVATE"],
        ),
        (
            "GOSUMDB=off go get x.io/y@v1",
            &["install insecure env=GOSUMDB"],
        ),
        (
            "go env -w GOPROXY=https://goproxy.cn,direct\ngo mod download",
            &["install proxy=https://goproxy.cn"],
        ),
        (
            "go install -ldflags '-s -w' ./cmd/x",
            &["install pkg=./cmd/x#path"],
        ),
        (
            "gem install bundler -v 2.5.6 --no-document",
            &["install mgr=gem pkg=bundler|2.5.6"],
        ),
        (
            "gem install rake:13.0.0 --source https://gems.corp",
            &["install pkg=rake|13.0.0 source=https://gems.corp"],
        ),
        (
            "bundle install --deployment --jobs 4 --retry 3",
            &["install mgr=bundle locked retry"],
        ),
        ("bundle install", &["install mgr=bundle", "!install locked"]),
        (
            "bundle config set --local frozen true\nbundle install",
            &["install mgr=bundle locked"],
        ),
        ("BUNDLE_FROZEN=true bundle", &["install mgr=bundle locked"]),
        ("gem push pkg.gem", &["cred type=publish tool=gem-push"]),
        (
            "sudo apt-get update && sudo apt-get install -y --no-install-recommends libssl-dev=3.0.2-0ubuntu1 jq",
            &[
                "install mgr=apt-get sub=install pkg=libssl-dev|3.0.2-0ubuntu1 pkg=jq global",
                "#install=1",
            ],
        ),
        (
            "apt install -y ./pkg.deb",
            &["install mgr=apt pkg=./pkg.deb#file"],
        ),
        (
            "apt-get install --allow-unauthenticated foo",
            &["install insecure"],
        ),
        (
            "yum install -y --nogpgcheck epel-release",
            &["install mgr=yum insecure pkg=epel-release"],
        ),
        (
            "dnf install -y gcc make",
            &["install mgr=dnf pkg=gcc pkg=make"],
        ),
        (
            "apk add --no-cache curl=8.5.0-r0 git",
            &["install mgr=apk sub=add pkg=curl|8.5.0-r0 pkg=git"],
        ),
        (
            "apk add --allow-untrusted -X https://repo.corp/alpine foo",
            &["install mgr=apk insecure source=https://repo.corp/alpine"],
        ),
        ("zypper -n install git", &["install mgr=zypper pkg=git"]),
        (
            "pacman -Syu --noconfirm base-devel",
            &["install mgr=pacman pkg=base-devel"],
        ),
        ("brew install jq yq", &["install mgr=brew pkg=jq pkg=yq"]),
        ("brew update", &["#install=0"]),
        (
            "choco install -y nodejs --version 20.11.0",
            &["install mgr=choco pkg=nodejs|20.11.0"],
        ),
        (
            "choco install x --source https://choco.corp/ -y",
            &["install source=https://choco.corp/"],
        ),
        (
            "snap install --dangerous ./x.snap",
            &["install mgr=snap insecure pkg=./x.snap#file"],
        ),
        (
            "dotnet restore --locked-mode",
            &["install mgr=dotnet sub=restore locked"],
        ),
        (
            "dotnet restore -s https://nuget.corp/v3/index.json",
            &["install source=https://nuget.corp/v3/index.json"],
        ),
        (
            "dotnet tool install -g dotnet-format --version 5.1.250801",
            &["install mgr=dotnet sub='tool install' pkg=dotnet-format|5.1.250801 global"],
        ),
        (
            "dotnet add src/App.csproj package Newtonsoft.Json -v 13.0.3",
            &["install sub='add package' pkg=Newtonsoft.Json|13.0.3"],
        ),
        (
            "dotnet nuget push out/*.nupkg --api-key $KEY",
            &["cred type=publish tool=dotnet-nuget-push"],
        ),
        (
            "nuget install NUnit.ConsoleRunner -Version 3.16.3 -Source https://api.nuget.org/v3/index.json",
            &[
                "install mgr=nuget pkg=NUnit.ConsoleRunner|3.16.3 source=https://api.nuget.org/v3/index.json",
            ],
        ),
        (
            "conda install -y -c conda-forge numpy=1.26 scipy",
            &["install mgr=conda pkg=numpy|=1.26 source=conda-forge"],
        ),
        (
            "mamba env create -f environment.yml",
            &["install mgr=mamba sub='env create' req=environment.yml"],
        ),
        (
            "micromamba install -n base conda-forge::python=3.12",
            &["install mgr=micromamba pkg=python|=3.12 source=conda-forge"],
        ),
        (
            "gh extension install owner/gh-ext",
            &["install mgr=gh pkg=owner/gh-ext#git"],
        ),
    ];
    common::run_table(rows);
}

/// Offline installs: each manager's own options (the knowledge base's table) and
/// variables, read from words, not from a split of the text.
#[test]
fn offline_installs() {
    let rows: &[(&str, &[&str])] = &[
        (
            "pip install x --no-index --find-links dist/",
            &["install mgr=pip offline"],
        ),
        (
            "python -m pip install \"--no-index\" -f dist x",
            &["install mgr=pip offline"],
        ),
        ("PIP_NO_INDEX=1 pip install x", &["install mgr=pip offline"]),
        (
            "PIP_NO_INDEX=0 pip install x",
            &["install mgr=pip", "!install offline"],
        ),
        ("uv pip install x --offline", &["install mgr=uv offline"]),
        ("UV_OFFLINE=true uv sync", &["install mgr=uv offline"]),
        ("npm ci --offline", &["install mgr=npm offline"]),
        ("npm install --offline=true", &["install mgr=npm offline"]),
        (
            "npm install --offline=false",
            &["install mgr=npm", "!install offline"],
        ),
        ("yarn install --offline", &["install mgr=yarn offline"]),
        ("pnpm install --offline", &["install mgr=pnpm offline"]),
        ("cargo fetch --frozen", &["install mgr=cargo offline"]),
        (
            "CARGO_NET_OFFLINE=true cargo install x",
            &["install mgr=cargo offline"],
        ),
        ("gem install -l rake", &["install mgr=gem offline"]),
        ("bundle install --local", &["install mgr=bundle offline"]),
        (
            "apt-get install -y --no-download x",
            &["install mgr=apt-get offline"],
        ),
        ("dnf -yC install x", &["install mgr=dnf offline"]),
        ("apk add --no-network x", &["install mgr=apk offline"]),
        ("conda install --offline x", &["install mgr=conda offline"]),
        // Not offline: another manager's option, an option after `--`, a lookalike.
        (
            "npm install --no-index",
            &["install mgr=npm", "!install offline"],
        ),
        (
            "npx --yes some-tool -- --offline",
            &["install mgr=npx", "!install offline"],
        ),
        (
            "pip install --no-index-url x",
            &["install mgr=pip", "!install offline"],
        ),
        ("dnf install -y x", &["install mgr=dnf", "!install offline"]),
        ("pip install x", &["install mgr=pip", "!install offline"]),
    ];
    common::run_table(rows);
}
