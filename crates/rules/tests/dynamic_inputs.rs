//! `with: ${{ fromJSON(…) }}` gives a step inputs only the run knows: findings that depend
//! on an input are reported with low confidence, not as if the input were absent.

mod common;

use tollgate_model::Confidence;

#[test]
fn a_checkout_with_run_time_inputs_may_not_persist_its_token() {
    let f = common::findings(
        "persisted-credentials",
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    permissions:\n      contents: read\n    steps:\n      - uses: actions/checkout@v4\n        with: ${{ fromJSON(vars.CHECKOUT) }}\n      - uses: actions/checkout@v4\n",
    );
    let confidences: Vec<(usize, Confidence)> = f
        .iter()
        .map(|x| (x.primary.start.line as usize, x.confidence))
        .collect();
    assert_eq!(
        confidences,
        vec![(8, Confidence::Low), (10, Confidence::High)],
        "{f:#?}"
    );
}
