//! Table tests of the PowerShell analysis: the same commands and facts as the bash
//! analysis gives for the bash spelling of each script. Rows come from the PowerShell
//! steps of the corpus (`../shared/corpus`), cited where one is the model.

mod common;

#[test]
fn downloads_and_remote_execution() {
    common::run_pwsh_table(&[
        (
            // astral-sh/uv, build-dev-binaries.yml: a script from a branch, run next.
            "Invoke-WebRequest -UseBasicParsing -Uri \"https://raw.githubusercontent.com/pyenv-win/pyenv-win/master/pyenv-win/install-pyenv-win.ps1\" -OutFile \"./install-pyenv-win.ps1\"\n&\"./install-pyenv-win.ps1\"",
            &[
                "download tool=Invoke-WebRequest host=raw.githubusercontent.com out=./install-pyenv-win.ps1 urlspan='\"https://raw.githubusercontent.com/pyenv-win/pyenv-win/master/pyenv-win/install-pyenv-win.ps1\"'",
                "exec how=later file=./install-pyenv-win.ps1 at='&\"./install-pyenv-win.ps1\"'",
                "!download stdout",
            ],
        ),
        (
            "iwr -useb https://get.scoop.sh | iex",
            &[
                "download tool=Invoke-WebRequest url=https://get.scoop.sh stdout at='iwr -useb https://get.scoop.sh'",
                "exec how=pipe interp=iex dl=Invoke-WebRequest at=iex",
            ],
        ),
        (
            "irm https://astral.sh/uv/install.ps1 | Out-String | Invoke-Expression",
            &["exec how=pipe interp=invoke-expression dlurl=https://astral.sh/uv/install.ps1"],
        ),
        (
            "iex (irm https://x.example.org/i.ps1)",
            &[
                "download tool=Invoke-RestMethod host=x.example.org stdout",
                "exec how=cmdsub interp=iex at='iex (irm https://x.example.org/i.ps1)'",
            ],
        ),
        (
            "& ([scriptblock]::Create((irm https://x.example.org/i.ps1))) -Version 1",
            &["exec how=cmdsub interp=iex dl=Invoke-RestMethod"],
        ),
        (
            "iex ((New-Object System.Net.WebClient).DownloadString('https://community.chocolatey.org/install.ps1'))",
            &[
                "download tool=WebClient.DownloadString host=community.chocolatey.org stdout",
                "exec how=cmdsub interp=iex",
            ],
        ),
        (
            "(New-Object Net.WebClient).DownloadFile('https://x.example.org/t.zip', 't.zip')\nExpand-Archive t.zip -DestinationPath tools",
            &[
                "download tool=WebClient.DownloadFile url=https://x.example.org/t.zip out=t.zip",
                "exec how=extracted extractor=expand-archive file=t.zip",
            ],
        ),
        (
            "iwr https://x.example.org/t.zip -OutFile t.zip\nif ((Get-FileHash t.zip -Algorithm SHA256).Hash -ne $sum) { throw 'bad' }\nExpand-Archive t.zip -DestinationPath tools",
            &[
                "verify tool=Get-FileHash file=t.zip",
                "exec how=extracted verified verifier=Get-FileHash",
            ],
        ),
        (
            "Start-BitsTransfer -Source https://x.example.org/a.msi -Destination a.msi\nmsiexec /i a.msi /quiet",
            &[
                "download tool=Start-BitsTransfer host=x.example.org out=a.msi",
                "exec how=installed installer=msiexec file=a.msi",
            ],
        ),
        (
            // denoland/deno, ci.yml: the value is read, not run.
            "$PrevVersion = (Invoke-RestMethod https://dl.deno.land/release-latest.txt).Trim() -replace \"^v\", \"\"",
            &[
                "download tool=Invoke-RestMethod host=dl.deno.land stdout",
                "#download-exec=0",
            ],
        ),
        (
            // denoland/deno, ci.yml: a dynamic URL keeps its text; no static host.
            "try { Invoke-WebRequest -Uri \"https://github.com/denoland/deno/releases/download/v$PrevVersion/deno.zip\" -OutFile prev.zip } catch { exit 0 }",
            &[
                "download out=prev.zip url=https://github.com/denoland/deno/releases/download/v$PrevVersion/deno.zip",
            ],
        ),
        (
            // Windows PowerShell's `curl` is Invoke-WebRequest; pwsh 7's is curl.exe.
            "curl -Uri https://x.example.org/a -OutFile a\ncurl.exe -fsSL -o b https://x.example.org/b",
            &[
                "download tool=Invoke-WebRequest out=a",
                "download tool=curl out=b url=https://x.example.org/b",
            ],
        ),
        (
            "Invoke-WebRequest http://x.example.org/a -OutFile a -SkipCertificateCheck -MaximumRetryCount 3",
            &["download http insecure retry"],
        ),
        (
            "Invoke-RestMethod -Method Post -Uri https://hooks.example.org/x -Body $payload",
            &["download sends"],
        ),
    ]);
}

#[test]
fn installs() {
    common::run_pwsh_table(&[
        (
            // numpy/numpy, windows.yml.
            "python -m pip install -r requirements/test_requirements.txt -r requirements/hypothesis_requirements.txt\npip install pkgconf==2.5.1.post1",
            &[
                "install mgr=pip req=requirements/test_requirements.txt",
                "install mgr=pip pkg=pkgconf|==2.5.1.post1",
            ],
        ),
        (
            // astral-sh/uv, build-dev-binaries.yml: `.\uv.exe` is uv.
            ".\\uv.exe pip install --extra-index-url=$env:PYODIDE_INDEX --no-build numpy",
            &["install mgr=uv pkg=numpy", "cmd name=uv"],
        ),
        (
            "choco install python3 --verbose --version=$env:TEST_PYTHON_VERSION",
            &["install mgr=choco pkg=python3 global"],
        ),
        (
            "Install-Module -Name Pester -RequiredVersion 5.5.0 -Force -Scope CurrentUser",
            &["install mgr=Install-Module pkg=Pester|5.5.0 global pkgspan=Pester"],
        ),
        (
            "Install-Module PSScriptAnalyzer, Pester -Force",
            &["install mgr=Install-Module pkg=PSScriptAnalyzer pkg=Pester"],
        ),
        (
            "Install-PSResource -Name Az -Version 11.0.0 -TrustRepository",
            &["install mgr=Install-PSResource pkg=Az|11.0.0"],
        ),
        (
            // astral-sh/uv, ci.yml.
            "winget install --accept-package-agreements --accept-source-agreements 9NQ7512CXL7T",
            &["install mgr=winget sub=install pkg=9NQ7512CXL7T"],
        ),
        (
            "winget install --id Git.Git -e --version 2.44.0",
            &["install mgr=winget pkg=Git.Git|2.44.0"],
        ),
        (
            "scoop install gh main/7zip@23.01",
            &["install mgr=scoop pkg=gh pkg=main/7zip|23.01"],
        ),
        (
            "npm install -g deno@${{ steps.publish.outputs.version }}\nnpx deno eval 1",
            &["install mgr=npm global", "install mgr=npx"],
        ),
        (
            "cargo install cargo-nextest --locked\ndotnet tool install -g dotnet-format\ngem install bundler\ngo install ./cmd/buildctl",
            &[
                "install mgr=cargo",
                "install mgr=dotnet",
                "install mgr=gem",
                "install mgr=go",
            ],
        ),
        (
            "$env:PIP_INDEX_URL = \"https://pypi.example.org/simple\"\npip install requests",
            &["install mgr=pip pkg=requests index=https://pypi.example.org/simple"],
        ),
        (
            "if ($IsWindows) { choco install git -y } else { brew install git }",
            &["cmd name=choco if branch", "cmd name=brew if branch"],
        ),
    ]);
}

#[test]
fn tokens_env_writes_and_secrets() {
    common::run_pwsh_table(&[
        (
            "gh release upload v1 dist/x.zip\n$env:GH_TOKEN | Out-Null",
            &[
                "cred type=gh-write sub='release upload'",
                "cred type=github-token via=GH_TOKEN at=$env:GH_TOKEN",
            ],
        ),
        (
            "git clone \"https://x-access-token:${env:GITHUB_TOKEN}@github.com/o/r\"",
            &["cred type=github-token via=GITHUB_TOKEN at=${env:GITHUB_TOKEN}"],
        ),
        (
            "$h = @{ Authorization = \"Bearer ${{ github.token }}\" }",
            &["cred type=github-token via=github.token at='${{ github.token }}'"],
        ),
        (
            "echo \"VERSION=$v\" >> $env:GITHUB_ENV\n\"path=$p\" | Out-File -FilePath $env:GITHUB_OUTPUT -Append\nAdd-Content -Path $env:GITHUB_PATH -Value $dir",
            &[
                "envwrite target=github-env key=VERSION",
                "envwrite target=github-output",
                "envwrite target=github-path",
            ],
        ),
        (
            "Write-Host ${{ secrets.API_KEY }}",
            &["secretecho name=API_KEY"],
        ),
        (
            "for ($i = 0; $i -lt 3; $i++) { try { iwr https://x.example.org/a -OutFile a; break } catch { Start-Sleep 5 } }",
            &["cmd name=iwr loop retry"],
        ),
        (
            "npm ci && npm test",
            &["cmd name=npm andor", "cmd name=npm chain=and branch"],
        ),
        (
            "pip install `\n  requests",
            &["cmd name=pip cont", "install pkg=requests"],
        ),
    ]);
}

/// Broken or odd input never panics and still yields what parses.
#[test]
fn robustness() {
    let mut a = tollgate_shell::Analyzer::new();
    for script in [
        "",
        "${{",
        "}}}}",
        "@\"\nunterminated",
        "function F { param($a) gh pr create }",
        "& (",
        "iex",
        "((((((((((((((((((((((((((((((((((((((((((((((((irm x))))))))))))))))))))))))))))))))))))))))))))))))",
        "`",
        "é ${{ 'é' }} ü",
    ] {
        let r = a.analyze_pwsh(script);
        for f in &r.facts {
            let s = f.span();
            assert!(
                s.end() <= script.len()
                    && script.is_char_boundary(s.start())
                    && script.is_char_boundary(s.end())
            );
        }
    }
    let deep = format!("{}irm x{}", "(".repeat(5000), ")".repeat(5000));
    let r = a.analyze_pwsh(&deep);
    assert!(!r.limits.is_empty() || !r.syntax_errors.is_empty() || !r.commands.is_empty());
}
