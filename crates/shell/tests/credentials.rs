//! Table tests of credential use, workflow-command file writes and secret echoes.

mod common;

#[test]
fn credential_table() {
    let rows: &[(&str, &[&str])] = &[
        (
            "echo \"token: ${{ secrets.DEPLOY_KEY }}\" > f",
            &[
                "cred type=secret name=DEPLOY_KEY at='${{ secrets.DEPLOY_KEY }}'",
                "#secret-echo=0",
            ],
        ),
        (
            "curl -H \"Authorization: token ${{ secrets.GITHUB_TOKEN }}\" https://api.github.com",
            &["cred type=github-token via=secrets.GITHUB_TOKEN"],
        ),
        (
            "gh pr list --repo ${{ github.repository }} --token ${{ github.token }}",
            &["cred type=github-token via=github.token"],
        ),
        (
            "X=${{ secrets['NPM-TOKEN'] }} npm publish",
            &[
                "cred type=secret name=NPM-TOKEN",
                "cred type=publish tool=npm-publish",
            ],
        ),
        (
            "echo ${{ secrets.A || secrets.B }}",
            &[
                "cred type=secret name=A",
                "cred type=secret name=B",
                "secretecho name=A",
                "secretecho name=B",
            ],
        ),
        (
            "echo \"${{ secrets.PASSWORD }}\" | docker login -u me --password-stdin",
            &["cred type=secret name=PASSWORD", "#secret-echo=0"],
        ),
        (
            "echo \"debug ${{ secrets.API_KEY }}\"",
            &["secretecho name=API_KEY expr='${{ secrets.API_KEY }}'"],
        ),
        // GitHub's expression grammar, as the graph and the rules read it: a property of
        // another context or a string literal is no secret, `secrets[ 'X' ]` is one. This
        // module's own reader took the first two as secrets and missed the third.
        (
            "echo ${{ inputs.secrets.X }} ${{ format('secrets.{0}', 'Y') }}",
            &["#credential=0", "#secret-echo=0"],
        ),
        (
            "echo ${{ secrets[ 'SPACED' ] }}",
            &["cred type=secret name=SPACED", "secretecho name=SPACED"],
        ),
        (
            "# ${{ secrets.IN_COMMENT }} still substituted by GitHub\nmake",
            &["cred type=secret name=IN_COMMENT"],
        ),
        (
            "gh auth login --with-token <<< \"$GH_TOKEN\"",
            &["cred type=github-token via=GH_TOKEN at=$GH_TOKEN"],
        ),
        (
            "curl -H \"Authorization: Bearer ${GITHUB_TOKEN}\" https://x",
            &["cred type=github-token via=GITHUB_TOKEN at=${GITHUB_TOKEN}"],
        ),
        (
            "curl -H \"Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN\" \"$ACTIONS_ID_TOKEN_REQUEST_URL\"",
            &["cred type=oidc-token"],
        ),
        (
            "git push origin HEAD:main",
            &[
                "cred type=git-push at='git push origin HEAD:main'",
                "!cred force",
            ],
        ),
        (
            "git push --force-with-lease origin gh-pages",
            &["cred type=git-push force"],
        ),
        (
            "git push origin +HEAD:refs/heads/x",
            &["cred type=git-push force"],
        ),
        ("git -C site push", &["cred type=git-push"]),
        (
            "gh pr create --title x --body y",
            &["cred type=gh-write sub='pr create'"],
        ),
        (
            "gh pr merge --auto --squash \"$PR\"",
            &["cred type=gh-write sub='pr merge'"],
        ),
        (
            "gh pr comment 1 --body hi",
            &["cred type=gh-write sub='pr comment'"],
        ),
        (
            "gh issue create -t t -b b",
            &["cred type=gh-write sub='issue create'"],
        ),
        (
            "gh issue close 12",
            &["cred type=gh-write sub='issue close'"],
        ),
        (
            "gh release create v1.0 dist/* --generate-notes",
            &["cred type=gh-write sub='release create'"],
        ),
        (
            "gh release upload v1.0 out.tgz --clobber",
            &["cred type=gh-write sub='release upload'"],
        ),
        (
            "gh workflow run deploy.yml -f env=prod",
            &["cred type=gh-write sub='workflow run'"],
        ),
        (
            "gh label create bug --color ff0000",
            &["cred type=gh-write sub='label create'"],
        ),
        ("gh pr view 1 --json title", &["#credential=0"]),
        ("gh attestation verify x -o o", &["verify"]),
        (
            "echo \"VERSION=1.2.3\" >> \"$GITHUB_ENV\"",
            &["envwrite target=github-env key=VERSION at='echo \"VERSION=1.2.3\"'"],
        ),
        (
            "echo \"dir=$(pwd)\" >> $GITHUB_OUTPUT",
            &["envwrite target=github-output key=dir"],
        ),
        (
            "echo \"$HOME/.local/bin\" >> $GITHUB_PATH",
            &["envwrite target=github-path key=$HOME/.local/bin"],
        ),
        (
            "echo '## Report' >> \"${GITHUB_STEP_SUMMARY}\"",
            &["envwrite target=github-step-summary"],
        ),
        (
            "echo \"NOTES<<EOF\" >> $GITHUB_ENV",
            &["envwrite target=github-env key=NOTES"],
        ),
        (
            "{\n  echo \"a=1\"\n  echo \"b=2\"\n} >> \"$GITHUB_OUTPUT\"",
            &["envwrite target=github-output"],
        ),
        (
            "echo \"X=1\" | tee -a $GITHUB_ENV",
            &["envwrite target=github-env key=X"],
        ),
        (
            "cat <<EOF >> $GITHUB_ENV\nA=1\nEOF",
            &["envwrite target=github-env"],
        ),
        ("echo \"x\" > $GITHUB_ENV_BACKUP", &["#env-write=0"]),
    ];
    common::run_table(rows);
}
