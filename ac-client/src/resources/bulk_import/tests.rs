use super::*;
use serde_json::json;

#[test]
fn request_serializes_like_the_reference() {
    let import = BulkImport::new(vec![BulkContact::new("someone@somewhere.com")
        .first_name("Jane")
        .last_name("Doe")
        .phone("123-456-7890")
        .customer_acct_name("ActiveCampaign")
        .exclude_automations(false)
        .tag("dictumst")
        .tag("aliquam")
        .field(1u64, "foo")
        .field(2u64, "||foo||bar||baz||")
        .subscribe(1u64)
        .subscribe(2u64)
        .unsubscribe(3u64)])
    .callback(
        BulkCallback::post("https://example.com/cb")
            .detailed_results(true)
            .param("k", "v")
            .header("X-Token", "abc"),
    );
    let body: serde_json::Value = serde_json::from_slice(&import.to_body().unwrap()).unwrap();
    assert_eq!(
        body,
        json!({"contacts":[{"email":"someone@somewhere.com","first_name":"Jane","last_name":"Doe",
            "phone":"123-456-7890","customer_acct_name":"ActiveCampaign","exclude_automations":false,
            "tags":["dictumst","aliquam"],
            "fields":[{"id":1,"value":"foo"},{"id":2,"value":"||foo||bar||baz||"}],
            "subscribe":[{"listid":1},{"listid":2}],"unsubscribe":[{"listid":3}]}],
         "callback":{"url":"https://example.com/cb","requestType":"POST","detailed_results":"true",
            "params":[{"key":"k","value":"v"}],"headers":[{"key":"X-Token","value":"abc"}]}})
    );
}

#[test]
fn limits_are_checked() {
    let many = BulkImport::new(
        (0..251)
            .map(|i| BulkContact::new(format!("c{i}@x.co")))
            .collect(),
    );
    let err = many.to_body().unwrap_err();
    assert!(err.to_string().contains("250"), "{err}");
    let big = BulkImport::new(
        (0..3)
            .map(|i| BulkContact::new(format!("c{i}@x.co")).first_name("x".repeat(150_000)))
            .collect(),
    );
    let err = big.to_body().unwrap_err();
    assert!(err.to_string().contains("400000"), "{err}");
    let err = BulkImport::new(vec![BulkContact::new("a@b.co"), BulkContact::new("bad")])
        .to_body()
        .unwrap_err();
    assert_eq!(err.field(), Some("contacts[1].email"));
    assert!(BulkImport::default().to_body().is_err());
}

#[test]
fn batches_respect_both_limits_exactly() {
    let contacts: Vec<(usize, BulkContact)> = (0..600)
        .map(|i| {
            (
                i,
                BulkContact::new(format!("c{i}@x.co")).first_name("x".repeat(i % 7 * 500)),
            )
        })
        .collect();
    for max_bytes in [400_000, 50_000, 5_000] {
        let (batches, too_big) = plan_batches(&contacts, None, 250, max_bytes).unwrap();
        assert!(too_big.is_empty());
        let flat: Vec<usize> = batches.iter().flatten().copied().collect();
        assert_eq!(flat, (0..600).collect::<Vec<_>>());
        for b in &batches {
            let import = BulkImport::new(b.iter().map(|&p| contacts[p].1.clone()).collect());
            let len = serde_json::to_vec(&import).unwrap().len();
            assert!(b.len() <= 250 && len <= max_bytes, "{} {len}", b.len());
        }
    }
    let (batches, _) = plan_batches(&contacts, None, 250, 400_000).unwrap();
    assert!(batches.len() >= 3);
    let small: Vec<(usize, BulkContact)> = (0..600)
        .map(|i| (i, BulkContact::new(format!("c{i}@x.co"))))
        .collect();
    let (batches, _) = plan_batches(&small, None, 250, 400_000).unwrap();
    assert_eq!(
        batches.iter().map(Vec::len).collect::<Vec<_>>(),
        vec![250, 250, 100]
    );
    let huge = vec![(
        0,
        BulkContact::new("a@b.co").first_name("x".repeat(400_000)),
    )];
    let (batches, too_big) = plan_batches(&huge, None, 250, 400_000).unwrap();
    assert!(batches.is_empty());
    assert_eq!(too_big.len(), 1);
}

#[test]
fn response_models() {
    let r: BulkImportResponse = serde_json::from_value(json!({"Success":1,"queued_contacts":1,
        "batchId":"0641fbdd-f62f-4c2c-ba02-3a83d5d11ac9","message":"Contact import queued"}))
    .unwrap();
    assert_eq!(r.success, Some(true));
    assert_eq!(r.queued_contacts, 1);
    let s: BulkImportStatus = serde_json::from_value(json!({"outstanding":[{"forDate":"2021-06-01",
        "batches":"333","contacts":"83250"}],"recentlyCompleted":[{"forDate":"2021-06-01","batches":"17","contacts":"4250"}]}))
    .unwrap();
    assert_eq!(s.outstanding[0].contacts, 83250);
    assert_eq!(s.recently_completed[0].batches, 17);
    let i: BatchInfo = serde_json::from_value(json!({"status":"completed","success":["123","124"],
        "failure":["invalid.email@invalidDomain"]}))
    .unwrap();
    assert_eq!(i.success, vec![ContactId(123), ContactId(124)]);
}

#[test]
fn a_bad_callback_is_refused_before_sending_naming_the_field() {
    let one = || vec![BulkContact::new("a@example.com")];
    let field = |cb: BulkCallback| {
        BulkImport::new(one())
            .callback(cb)
            .to_body()
            .unwrap_err()
            .field()
            .map(str::to_owned)
    };
    assert_eq!(
        field(BulkCallback::post("/relative")),
        Some("callback.url".into())
    );
    assert_eq!(
        field(BulkCallback::post("ftp://example.com/cb")),
        Some("callback.url".into())
    );
    let mut put = BulkCallback::post("https://example.com/cb");
    put.request_type = "PUT".into();
    assert_eq!(field(put), Some("callback.requestType".into()));
    assert_eq!(
        field(BulkCallback::post("https://example.com/cb").param(" ", "v")),
        Some("callback.params[0].key".into())
    );
    assert_eq!(
        field(BulkCallback::get("https://example.com/cb").header("Bad Header", "v")),
        Some("callback.headers[0]".into())
    );
    let ok = BulkImport::new(one()).callback(
        BulkCallback::get("https://example.com/cb")
            .param("job", "nightly")
            .header("X-Token", "abc"),
    );
    let body: serde_json::Value = serde_json::from_slice(&ok.to_body().unwrap()).unwrap();
    assert_eq!(body["callback"]["requestType"], "GET");
    assert_eq!(
        body["callback"]["headers"][0],
        json!({"key": "X-Token", "value": "abc"})
    );
}
