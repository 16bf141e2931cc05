//! Downloads from cloud and registry stores: `aws s3`, `gsutil`/`gcloud storage` and
//! `oras pull`.

use super::*;

pub(crate) fn aws(cx: &mut Recogniser<'_>, i: usize, cmd: &Command) {
    const AWS: OptSpec = OptSpec::new(
        "",
        &[
            "region",
            "profile",
            "endpoint-url",
            "exclude",
            "include",
            "acl",
            "sse",
            "storage-class",
            "expires",
            "content-type",
            "cache-control",
            "metadata",
            "output",
            "ca-bundle",
            "cli-read-timeout",
            "cli-connect-timeout",
            "sse-c",
            "sse-kms-key-id",
        ],
    );
    let args = scan(cmd.args(), &AWS);
    let pos: Vec<&Word> = positionals(&args).collect();
    let (Some("s3"), Some(sub)) = (
        pos.first().and_then(|w| w.as_str()),
        pos.get(1).and_then(|w| w.as_str()),
    ) else {
        return;
    };
    let tool = match sub {
        "cp" => "aws s3 cp",
        "sync" => "aws s3 sync",
        _ => return,
    };
    let (Some(src), Some(dst)) = (pos.get(2), pos.get(3)) else {
        return;
    };
    let src_text = cx.text(src);
    let Some(rest) = src_text.strip_prefix("s3://") else {
        return;
    };
    let bucket = rest.split('/').next().unwrap_or("");
    let mut d = blank(tool, cmd.span);
    let endpoint = args
        .iter()
        .find(|a| a.is('\0', "endpoint-url"))
        .and_then(Arg::value_text);
    d.host = match endpoint {
        Some(e) => url_host(e),
        None if !bucket.is_empty() && !bucket.contains('$') => {
            Some(format!("{bucket}.s3.amazonaws.com"))
        }
        None => None,
    };
    d.url = Some(src_text.into_owned());
    d.url_span = Some(src.span);
    let dst = cx.text(dst).into_owned();
    if dst == "-" {
        d.to_stdout = true;
    } else {
        d.output = Some(dst);
    }
    let (file, out) = (d.output.clone(), d.to_stdout);
    cx.download(i, Fact::Download(d), file, out);
}

pub(crate) fn gsutil(cx: &mut Recogniser<'_>, i: usize, cmd: &Command) {
    const GS: OptSpec = OptSpec::new("ohpu", &["project"]);
    let args = scan(cmd.args(), &GS);
    let mut pos: Vec<&Word> = positionals(&args).collect();
    // `gcloud storage cp` is the newer spelling of `gsutil cp`.
    if cmd.name() == Some("gcloud") {
        if pos.first().and_then(|w| w.as_str()) != Some("storage") {
            return;
        }
        pos.remove(0);
    }
    let Some(sub) = pos.first().and_then(|w| w.as_str()) else {
        return;
    };
    let tool = match sub {
        "cp" => "gsutil cp",
        "cat" => "gsutil cat",
        "rsync" => "gsutil rsync",
        _ => return,
    };
    let Some(src) = pos.get(1) else { return };
    let text = cx.text(src);
    if !text.starts_with("gs://") {
        return;
    }
    let mut d = blank(tool, cmd.span);
    d.host = Some("storage.googleapis.com".into());
    d.url = Some(text.into_owned());
    d.url_span = Some(src.span);
    match pos.get(2).map(|w| cx.text(w).into_owned()) {
        Some(dst) if dst != "-" => d.output = Some(dst),
        _ => d.to_stdout = true,
    }
    let (file, out) = (d.output.clone(), d.to_stdout);
    cx.download(i, Fact::Download(d), file, out);
}

pub(crate) fn oras(cx: &mut Recogniser<'_>, i: usize, cmd: &Command) {
    const ORAS: OptSpec = OptSpec::new(
        "ou",
        &[
            "output",
            "username",
            "password",
            "platform",
            "config",
            "registry-config",
            "media-type",
            "concurrency",
        ],
    );
    let args = scan(cmd.args(), &ORAS);
    let pos: Vec<&Word> = positionals(&args).collect();
    if pos.first().and_then(|w| w.as_str()) != Some("pull") {
        return;
    }
    let Some(r) = pos.get(1) else { return };
    let mut d = blank("oras pull", cmd.span);
    let reference = cx.text(r).into_owned();
    d.host = reference
        .split('/')
        .next()
        .filter(|h| h.contains('.') || h.contains(':'))
        .map(|h| h.split(':').next().unwrap_or(h).to_ascii_lowercase());
    d.url = Some(reference);
    d.url_span = Some(r.span);
    d.output = args
        .iter()
        .find(|a| a.is('o', "output"))
        .and_then(Arg::value_text)
        .map(str::to_owned);
    cx.download(i, Fact::Download(d), None, false);
}
