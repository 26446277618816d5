//! Golden plans: every example of Segment's and RudderStack's ActiveCampaign destination docs
//! (the team's seed documents 000 and 001), written as the message an SDK sends, planned
//! under each flavour and compared with the exact plan MAPPING.md asks for. Then the rules
//! around them: the `integrations` switch, ids, types, pages, dates, tags, lists, audiences,
//! `user_id_field`, the missing-email errors and the settings shapes.

#![allow(clippy::unwrap_used)]

use ac_client::encode::FieldCatalog;
use ac_client::fields::Field;
use ac_segment::plan::{plan, Known, PlanError};
use ac_segment::spec::Message;
use ac_segment::{Flavor, Settings};
use secrecy::ExposeSecret;
use serde_json::{json, Value};

const DEFAULT: Flavor = Flavor::Default;
const SEGMENT: Flavor = Flavor::Segment;
const RUDDER: Flavor = Flavor::Rudderstack;

/// The account's custom fields, as `GET /api/3/fields` returns them.
fn catalog() -> FieldCatalog {
    let fields: Vec<Field> = serde_json::from_value(json!([
        {"id":"1","title":"Shirt Size","type":"text","perstag":"SHIRT_SIZE","descript":null,
         "isrequired":"0","visible":"1","ordernum":"4","defval":"","options":[],"relations":["1"],
         "cdate":"2024-05-01T10:00:00-05:00","udate":"2024-05-01T10:00:00-05:00",
         "links":{"options":"https://acme.api-us1.com/api/3/fields/1/options"}},
        {"id":"2","title":"State","type":"text","perstag":"STATE","isrequired":"0","visible":"1","ordernum":"5"},
        {"id":"3","title":"Multi Choice","type":"checkbox","perstag":"MULTI_CHOICE","options":["11","12"]},
        {"id":"4","title":"Interest","type":"text","perstag":"INTEREST"},
        {"id":"5","title":"Country","type":"text","perstag":"COUNTRY"},
        {"id":"6","title":"Hobbies","type":"checkbox","perstag":"HOBBIES","options":["21","22","23"]},
        {"id":"7","title":"Signup Date","type":"date","perstag":"SIGNUP_DATE"},
        {"id":"8","title":"Last Seen","type":"datetime","perstag":"LAST_SEEN"},
        {"id":"9","title":"Order completed (30 days)","type":"text","perstag":"ORDER_COMPLETED_LAST_30DAYS"},
        {"id":"10","title":"Segment User ID","type":"text","perstag":"SEGMENT_USER_ID"},
        {"id":"11","title":"Logins","type":"number","perstag":"LOGINS"},
        {"id":"12","title":"Title","type":"text","perstag":"TITLE"},
        {"id":"13","title":"Newsletter","type":"text","perstag":"NEWSLETTER"},
        {"id":"14","title":"Birthday","type":"date","perstag":"BIRTHDAY"}
    ]))
    .unwrap();
    FieldCatalog::new(fields)
}

fn settings(flavor: Flavor) -> Settings {
    let mut s = Settings::new();
    s.flavor = flavor;
    s
}

/// Plans `msg` read from its bytes (as `replay` reads it), checks that reading it from the
/// parsed value plans the same, and serializes the plan.
fn planned_with(
    msg: &Value,
    s: &Settings,
    fields: Option<&FieldCatalog>,
) -> Result<Value, PlanError> {
    let bytes = serde_json::to_vec(msg).unwrap();
    let from_bytes = Message::from_slice(&bytes).unwrap();
    let from_value = Message::from_value(msg.clone()).unwrap();
    assert_eq!(
        from_bytes, from_value,
        "from_slice and from_value disagree on {msg}"
    );
    let known = Known { fields };
    let p = plan(&from_bytes, s, &known);
    assert_eq!(p, plan(&from_value, s, &known));
    p.map(|p| serde_json::to_value(p).unwrap())
}

/// Plans with the field catalog under `flavor`'s plain settings.
fn planned(msg: &Value, flavor: Flavor) -> Result<Value, PlanError> {
    let cat = catalog();
    planned_with(msg, &settings(flavor), Some(&cat))
}

#[track_caller]
fn golden(msg: &Value, flavor: Flavor, expected: Value) {
    match planned(msg, flavor) {
        Ok(actual) => assert_eq!(actual, expected, "flavour {flavor}, message {msg}"),
        Err(e) => panic!("flavour {flavor}: expected a plan, got the error `{e}` for {msg}"),
    }
}

#[track_caller]
fn golden_err(msg: &Value, flavor: Flavor, expected: PlanError, text: &str) {
    match planned(msg, flavor) {
        Ok(p) => panic!("flavour {flavor}: expected `{text}`, got the plan {p}"),
        Err(e) => {
            assert_eq!(e, expected, "flavour {flavor}");
            assert_eq!(e.to_string(), text, "flavour {flavor}");
        }
    }
}

fn skip(reason: &str) -> Value {
    json!({"plan":"skip","reason":reason})
}

const LOOKED_DEFAULT: &str =
    "traits.email, context.traits.email, properties.email, userId (when an email)";
const LOOKED_RUDDER: &str = "traits.email, context.traits.email, properties.email";

fn no_email(flavor: Flavor) -> (PlanError, String) {
    let looked_in = if flavor == RUDDER {
        LOOKED_RUDDER
    } else {
        LOOKED_DEFAULT
    };
    (
        PlanError::MissingEmail { looked_in },
        format!("no email: looked in {looked_in}"),
    )
}

// ---------------------------------------------------------------------------------------------
// Seed 000: Segment's ActiveCampaign destination doc
// ---------------------------------------------------------------------------------------------

/// `analytics.page()` after an identify: analytics.js fills the page properties and
/// `context.page`; the email is in `context.traits`.
fn segment_page() -> Value {
    let page = json!({"path":"/academy/","referrer":"https://www.google.com/","search":"",
        "title":"Analytics Academy","url":"https://segment.com/academy/"});
    json!({"type":"page","anonymousId":"507f191e810c19729de860ea","userId":"ze8rt1u89",
        "messageId":"ajs-next-1","timestamp":"2024-05-01T10:00:00.000Z","properties":page,
        "context":{"page":page,"traits":{"email":"jane.kim@example.com"},
            "library":{"name":"analytics.js","version":"2.11.1"},"ip":"8.8.8.8"},
        "integrations":{}})
}

#[test]
fn seed_segment_page() {
    let m = segment_page();
    golden(
        &m,
        SEGMENT,
        json!({"plan":"apply","type":"page","email":"jane.kim@example.com",
        "actions":[{"action":"record_visit","url":"https://segment.com/academy/",
            "referrer":"https://www.google.com/","email":"jane.kim@example.com"}]}),
    );
    golden(
        &m,
        DEFAULT,
        json!({"plan":"apply","type":"page","email":"jane.kim@example.com",
        "actions":[{"action":"whitelist_domain","domain":"segment.com"},
            {"action":"record_visit","url":"https://segment.com/academy/",
            "referrer":"https://www.google.com/","email":"jane.kim@example.com"}]}),
    );
    golden(
        &m,
        RUDDER,
        json!({"plan":"apply","type":"page",
        "actions":[{"action":"whitelist_domain","domain":"segment.com"}]}),
    );
}

#[test]
fn seed_segment_page_without_an_email() {
    let mut m = segment_page();
    m["context"]["traits"] = json!({});
    let (e, text) = no_email(SEGMENT);
    golden_err(&m, SEGMENT, e, &text);
    // default: the domain is still whitelisted, there is just no visit to record.
    golden(
        &m,
        DEFAULT,
        json!({"plan":"apply","type":"page",
        "actions":[{"action":"whitelist_domain","domain":"segment.com"}]}),
    );
}

fn jane(extra: Value) -> Value {
    let mut traits = json!({"firstName":"Jane","lastName":"Kim","email":"jane.kim@example.com"});
    for (k, v) in extra.as_object().unwrap() {
        traits[k] = v.clone();
    }
    json!({"type":"identify","userId":"ze8rt1u89","anonymousId":null,"messageId":"m-1",
        "timestamp":"2024-05-01T10:00:00.000Z","traits":traits,
        "context":{"library":{"name":"analytics.js","version":"2.11.1"}},"integrations":{}})
}

#[test]
fn seed_segment_identify_basic() {
    let expected = json!({"plan":"apply","type":"identify","email":"jane.kim@example.com",
        "actions":[{"action":"sync_contact","email":"jane.kim@example.com","first_name":"Jane",
            "last_name":"Kim","create_if_missing":true}]});
    for flavor in [SEGMENT, DEFAULT, RUDDER] {
        golden(&jane(json!({})), flavor, expected.clone());
    }
}

#[test]
fn seed_segment_tags_and_tags_reset() {
    let m = jane(json!({"tags":["checkout","abandoned"],"tagsReset":1}));
    let reset_then_add = json!({"plan":"apply","type":"identify","email":"jane.kim@example.com",
        "actions":[{"action":"sync_contact","email":"jane.kim@example.com","first_name":"Jane",
                "last_name":"Kim","create_if_missing":true},
            {"action":"reset_tags"},
            {"action":"add_tag","name":"checkout"},
            {"action":"add_tag","name":"abandoned"}]});
    golden(&m, SEGMENT, reset_then_add.clone());
    golden(&m, DEFAULT, reset_then_add);
    golden(
        &m,
        RUDDER,
        json!({"plan":"apply","type":"identify","email":"jane.kim@example.com",
        "actions":[{"action":"sync_contact","email":"jane.kim@example.com","first_name":"Jane",
                "last_name":"Kim","create_if_missing":true},
            {"action":"add_tag","name":"checkout"},
            {"action":"add_tag","name":"abandoned"}],
        "notes":["trait `tagsReset` is not read in the rudderstack flavour: the contact's tags are kept"]}),
    );
    // `tagsReset` alone (Segment: "or just one of the two").
    golden(
        &jane(json!({"tagsReset":1})),
        SEGMENT,
        json!({"plan":"apply","type":"identify",
        "email":"jane.kim@example.com",
        "actions":[{"action":"sync_contact","email":"jane.kim@example.com","first_name":"Jane",
                "last_name":"Kim","create_if_missing":true},
            {"action":"reset_tags"}]}),
    );
}

#[test]
fn seed_segment_custom_fields() {
    let m =
        jane(json!({"shirtSize":"medium","state":"California","multiChoice":["Value1","Value2"]}));
    // Matched loosely to %SHIRT_SIZE%, %STATE%, %MULTI_CHOICE%; the checkbox gets `||a||b||`.
    let fields = json!({"plan":"apply","type":"identify","email":"jane.kim@example.com",
        "actions":[{"action":"sync_contact","email":"jane.kim@example.com","first_name":"Jane",
            "last_name":"Kim","create_if_missing":true,
            "field_values":[{"field":"3","value":"||Value1||Value2||"},
                {"field":"1","value":"medium"},{"field":"2","value":"California"}]}]});
    golden(&m, SEGMENT, fields.clone());
    golden(&m, DEFAULT, fields);
    golden(
        &m,
        RUDDER,
        json!({"plan":"apply","type":"identify","email":"jane.kim@example.com",
        "actions":[{"action":"sync_contact","email":"jane.kim@example.com","first_name":"Jane",
            "last_name":"Kim","create_if_missing":true}],
        "notes":["traits not read as custom fields in the rudderstack flavour (only `fieldInfo` is): multiChoice, shirtSize, state"]}),
    );
}

#[test]
fn seed_segment_lists() {
    let m = jane(json!({"lists":[{"id":1,"status":"active"},{"id":7,"status":"unsubscribed"}]}));
    let lists = json!({"plan":"apply","type":"identify","email":"jane.kim@example.com",
        "actions":[{"action":"sync_contact","email":"jane.kim@example.com","first_name":"Jane",
                "last_name":"Kim","create_if_missing":true},
            {"action":"set_list_status","list":"1","status":"subscribed"},
            {"action":"set_list_status","list":"7","status":"unsubscribed"}]});
    golden(&m, SEGMENT, lists.clone());
    golden(&m, DEFAULT, lists);
    golden(
        &m,
        RUDDER,
        json!({"plan":"apply","type":"identify","email":"jane.kim@example.com",
        "actions":[{"action":"sync_contact","email":"jane.kim@example.com","first_name":"Jane",
            "last_name":"Kim","create_if_missing":true}],
        "notes":["list 1: status \"active\" is not one of subscribe, unsubscribe (flavour rudderstack): skipped",
            "list 7: status \"unsubscribed\" is not one of subscribe, unsubscribe (flavour rudderstack): skipped"]}),
    );
}

#[test]
fn seed_segment_track_with_ac_value() {
    // The doc's call, `analytics.track('Clicked a button', {properties: {acValue: ...}})`,
    // nests `properties` inside the properties; the flat form is what most callers send.
    let nested = json!({"type":"track","event":"Clicked a button","userId":"ze8rt1u89",
        "properties":{"properties":{"acValue":"Signup button"}},
        "context":{"traits":{"email":"jane.kim@example.com"}}});
    let flat = json!({"type":"track","event":"Clicked a button","userId":"ze8rt1u89",
        "properties":{"acValue":"Signup button"},
        "context":{"traits":{"email":"jane.kim@example.com"}}});
    for m in [&nested, &flat] {
        let with_value = json!({"plan":"apply","type":"track","email":"jane.kim@example.com",
            "actions":[{"action":"track_event","name":"Clicked a button","data":"Signup button",
                "email":"jane.kim@example.com"}]});
        golden(m, SEGMENT, with_value.clone());
        golden(m, DEFAULT, with_value);
        // RudderStack reads `eventData` / `name`, never `acValue`.
        golden(
            m,
            RUDDER,
            json!({"plan":"apply","type":"track","email":"jane.kim@example.com",
            "actions":[{"action":"track_event","name":"Clicked a button",
                "email":"jane.kim@example.com"}]}),
        );
    }
}

fn engage(member: bool) -> Value {
    json!({"type":"identify","userId":"ze8rt1u89","messageId":"personas_1",
        "traits":{"email":"jane.kim@example.com","order_completed_last_30days":member},
        "context":{"personas":{"computation_class":"audience","computation_id":"aud_1",
            "computation_key":"order_completed_last_30days","namespace":"spa_1","space_id":"spa_1"},
            "library":{"name":"unknown","version":"unknown"}},
        "integrations":{"All":false,"ActiveCampaign":true}})
}

#[test]
fn seed_segment_engage_audience() {
    let m = engage(true);
    // Segment: no name, so the contact is only updated, never created.
    golden(
        &m,
        SEGMENT,
        json!({"plan":"apply","type":"identify","email":"jane.kim@example.com",
        "actions":[{"action":"sync_contact","email":"jane.kim@example.com","create_if_missing":false,
            "field_values":[{"field":"9","value":"1"}]}]}),
    );
    golden(
        &m,
        DEFAULT,
        json!({"plan":"apply","type":"identify","email":"jane.kim@example.com",
        "actions":[{"action":"sync_contact","email":"jane.kim@example.com","create_if_missing":true,
            "field_values":[{"field":"9","value":"1"}]}]}),
    );
    golden(
        &m,
        RUDDER,
        json!({"plan":"apply","type":"identify","email":"jane.kim@example.com",
        "actions":[{"action":"sync_contact","email":"jane.kim@example.com","create_if_missing":true}],
        "notes":["traits not read as custom fields in the rudderstack flavour (only `fieldInfo` is): order_completed_last_30days"]}),
    );
    golden(
        &engage(false),
        DEFAULT,
        json!({"plan":"apply","type":"identify",
        "email":"jane.kim@example.com",
        "actions":[{"action":"sync_contact","email":"jane.kim@example.com","create_if_missing":true,
            "field_values":[{"field":"9","value":"0"}]}]}),
    );
}

#[test]
fn audiences_as_tags() {
    let cat = catalog();
    let mut s = settings(DEFAULT);
    s.audiences_as_tags = true;
    let entered = planned_with(&engage(true), &s, Some(&cat)).unwrap();
    assert_eq!(
        entered,
        json!({"plan":"apply","type":"identify","email":"jane.kim@example.com",
        "actions":[{"action":"sync_contact","email":"jane.kim@example.com","create_if_missing":true,
                "field_values":[{"field":"9","value":"1"}]},
            {"action":"add_tag","name":"order_completed_last_30days"}]})
    );
    let exited = planned_with(&engage(false), &s, Some(&cat)).unwrap();
    assert_eq!(
        exited,
        json!({"plan":"apply","type":"identify","email":"jane.kim@example.com",
        "actions":[{"action":"sync_contact","email":"jane.kim@example.com","create_if_missing":true,
                "field_values":[{"field":"9","value":"0"}]},
            {"action":"remove_tag","name":"order_completed_last_30days"}]})
    );
    // The same in the segment flavour (update only, as any nameless identify there).
    s.flavor = SEGMENT;
    let entered = planned_with(&engage(true), &s, Some(&cat)).unwrap();
    assert_eq!(
        entered,
        json!({"plan":"apply","type":"identify","email":"jane.kim@example.com",
        "actions":[{"action":"sync_contact","email":"jane.kim@example.com","create_if_missing":false,
                "field_values":[{"field":"9","value":"1"}]},
            {"action":"add_tag","name":"order_completed_last_30days"}]})
    );
    // A computed trait (not an audience) never becomes a tag.
    s.flavor = DEFAULT;
    let mut trait_msg = engage(true);
    trait_msg["context"]["personas"]["computation_class"] = json!("trait");
    let computed = planned_with(&trait_msg, &s, Some(&cat)).unwrap();
    assert_eq!(
        computed,
        json!({"plan":"apply","type":"identify","email":"jane.kim@example.com",
        "actions":[{"action":"sync_contact","email":"jane.kim@example.com","create_if_missing":true,
            "field_values":[{"field":"9","value":"1"}]}]})
    );
    // A blank audience key names no tag (`{"": true}` is no audience).
    let mut blank = engage(true);
    blank["traits"][""] = json!(true);
    blank["context"]["personas"]["computation_key"] = json!("  ");
    let no_tag = planned_with(&blank, &s, Some(&cat)).unwrap();
    assert_eq!(
        no_tag["actions"].as_array().map(Vec::len),
        Some(1),
        "{no_tag}"
    );
    // Without the setting, an audience is only a field.
    let plain = planned_with(&engage(true), &settings(DEFAULT), Some(&cat)).unwrap();
    assert_eq!(plain["actions"].as_array().map(Vec::len), Some(1));
    // Already among the message's tags: added once.
    let mut tagged = engage(true);
    tagged["traits"]["tags"] = json!(["order_completed_last_30days"]);
    let once = planned_with(&tagged, &s, Some(&cat)).unwrap();
    assert_eq!(
        once["actions"],
        json!([
        {"action":"sync_contact","email":"jane.kim@example.com","create_if_missing":true,
            "field_values":[{"field":"9","value":"1"}]},
        {"action":"add_tag","name":"order_completed_last_30days"}])
    );
}

// ---------------------------------------------------------------------------------------------
// Seed 001: RudderStack's ActiveCampaign destination doc
// ---------------------------------------------------------------------------------------------

#[test]
fn seed_rudderstack_page_with_url_url() {
    let m = json!({"type":"page","name":"home","userId":"userid",
        "anonymousId":"d80b66d5-b33d-412d-866f-r4fft5841af","channel":"web",
        "properties":{"name":"home","path":"path","url":"url","title":"title","search":"search",
            "referrer":"referrer"},
        "context":{"traits":{"email":"name@surname.com"}},"integrations":{"All":true}});
    golden_err(&m, RUDDER,
        PlanError::InvalidUrl {
            key: "properties.url",
            value: "url".into(),
            reason: "relative URL without a base (a full URL such as https://example.com is needed)".into(),
        },
        "invalid URL `url` in properties.url: relative URL without a base (a full URL such as https://example.com is needed)");
    // Segment records the visit whatever the URL says; default does too, and reports that
    // there is no domain to whitelist.
    golden(
        &m,
        SEGMENT,
        json!({"plan":"apply","type":"page","email":"name@surname.com",
        "actions":[{"action":"record_visit","url":"url","referrer":"referrer","email":"name@surname.com"}]}),
    );
    golden(
        &m,
        DEFAULT,
        json!({"plan":"apply","type":"page","email":"name@surname.com",
        "actions":[{"action":"record_visit","url":"url","referrer":"referrer","email":"name@surname.com"}],
        "notes":["invalid URL `url` in properties.url: not a domain: no domain whitelisted"]}),
    );
    // Without an email there is nothing default can do with it.
    let mut anonymous = m.clone();
    anonymous["context"] = json!({});
    golden_err(
        &anonymous,
        DEFAULT,
        PlanError::InvalidUrl {
            key: "properties.url",
            value: "url".into(),
            reason: "not a domain".into(),
        },
        "invalid URL `url` in properties.url: not a domain",
    );
}

#[test]
fn seed_rudderstack_page_with_a_real_url() {
    let m = json!({"type":"page","name":"home","anonymousId":"a1",
        "properties":{"url":"https://www.rudderlabs.com/docs/?q=1","referrer":"https://google.com/"},
        "context":{"traits":{"email":"name@surname.com"}}});
    golden(
        &m,
        RUDDER,
        json!({"plan":"apply","type":"page",
        "actions":[{"action":"whitelist_domain","domain":"rudderlabs.com"}]}),
    );
    golden(
        &m,
        DEFAULT,
        json!({"plan":"apply","type":"page","email":"name@surname.com",
        "actions":[{"action":"whitelist_domain","domain":"rudderlabs.com"},
            {"action":"record_visit","url":"https://www.rudderlabs.com/docs/?q=1",
                "referrer":"https://google.com/","email":"name@surname.com"}]}),
    );
    golden(
        &m,
        SEGMENT,
        json!({"plan":"apply","type":"page","email":"name@surname.com",
        "actions":[{"action":"record_visit","url":"https://www.rudderlabs.com/docs/?q=1",
            "referrer":"https://google.com/","email":"name@surname.com"}]}),
    );
}

#[test]
fn page_domain_sources_and_bare_domains() {
    let bare = json!({"type":"page","anonymousId":"a1","properties":{"domain":"rudderlabs.com"}});
    golden_err(&bare, RUDDER,
        PlanError::InvalidUrl {
            key: "properties.domain",
            value: "rudderlabs.com".into(),
            reason: "relative URL without a base (a full URL such as https://example.com is needed)".into(),
        },
        "invalid URL `rudderlabs.com` in properties.domain: relative URL without a base (a full URL such as https://example.com is needed)");
    golden(
        &bare,
        DEFAULT,
        json!({"plan":"apply","type":"page",
        "actions":[{"action":"whitelist_domain","domain":"rudderlabs.com"}]}),
    );
    let (e, text) = no_email(SEGMENT);
    golden_err(&bare, SEGMENT, e, &text);

    // Only context.page (and referring domains after it), `sub.www.` loses its `www.` label.
    let ctx = json!({"type":"page","anonymousId":"a1",
        "context":{"page":{"url":"http://sub.www.example.com/x","referrer":"https://google.com/"},
            "traits":{"email":"a@b.co"}}});
    golden(
        &ctx,
        RUDDER,
        json!({"plan":"apply","type":"page",
        "actions":[{"action":"whitelist_domain","domain":"sub.example.com"}]}),
    );
    golden(
        &ctx,
        SEGMENT,
        json!({"plan":"apply","type":"page","email":"a@b.co",
        "actions":[{"action":"record_visit","url":"http://sub.www.example.com/x",
            "referrer":"https://google.com/","email":"a@b.co"}]}),
    );
    let referring = json!({"type":"page","anonymousId":"a1",
        "context":{"page":{"referring_domain":"https://www.google.com"}}});
    golden(
        &referring,
        RUDDER,
        json!({"plan":"apply","type":"page",
        "actions":[{"action":"whitelist_domain","domain":"google.com"}]}),
    );
    // `www.` inside a label is part of the name.
    let awww =
        json!({"type":"page","anonymousId":"a1","properties":{"url":"https://awww.example.com/"}});
    golden(
        &awww,
        RUDDER,
        json!({"plan":"apply","type":"page",
        "actions":[{"action":"whitelist_domain","domain":"awww.example.com"}]}),
    );

    let nothing = json!({"type":"page","anonymousId":"a1","context":{"traits":{"email":"a@b.co"}}});
    let all = "properties.domain, properties.url, context.page.url, properties.referring_domain, context.page.referring_domain";
    for flavor in [RUDDER, DEFAULT] {
        golden_err(
            &nothing,
            flavor,
            PlanError::MissingUrl { looked_in: all },
            &format!("no page URL or domain: looked in {all}"),
        );
    }
    golden_err(
        &nothing,
        SEGMENT,
        PlanError::MissingUrl {
            looked_in: "properties.url, context.page.url",
        },
        "no page URL or domain: looked in properties.url, context.page.url",
    );
}

#[test]
fn seed_rudderstack_screen() {
    // The Segment-spec form (the SDKs put the name at the root) and RudderStack's own input
    // (`event`).
    let props = json!({"category":"category","label":"label","value":"value",
        "url":"www.rudderlabs.com","info":"Rudder_Event_Screen_Test"});
    let spec_form = json!({"type":"screen","name":"Screen Viewed","userId":"userid",
        "properties":props,"context":{"traits":{"email":"name@surname.com"}}});
    let rudder_form = json!({"type":"screen","event":"Screen Viewed","userId":"userid",
        "properties":props,"context":{"traits":{"email":"name@surname.com"}}});
    for m in [&spec_form, &rudder_form] {
        golden(
            m,
            RUDDER,
            json!({"plan":"apply","type":"screen","email":"name@surname.com",
            "actions":[{"action":"track_event","name":"Screen Viewed","email":"name@surname.com"}]}),
        );
        // default: `value` is the event data.
        golden(
            m,
            DEFAULT,
            json!({"plan":"apply","type":"screen","email":"name@surname.com",
            "actions":[{"action":"track_event","name":"Screen Viewed","data":"value",
                "email":"name@surname.com"}]}),
        );
        golden(m, SEGMENT, skip("screen is not supported by Segment's ActiveCampaign destination (flavour `segment`)"));
    }
    // RudderStack's SDKs also copy the name into properties.name, its eventdata.
    let mut with_prop_name = spec_form.clone();
    with_prop_name["properties"]["name"] = json!("Screen Viewed");
    golden(
        &with_prop_name,
        RUDDER,
        json!({"plan":"apply","type":"screen","email":"name@surname.com",
        "actions":[{"action":"track_event","name":"Screen Viewed","data":"Screen Viewed",
            "email":"name@surname.com"}]}),
    );
    let unnamed = json!({"type":"screen","userId":"userid","context":{"traits":{"email":"name@surname.com"}}});
    golden_err(
        &unnamed,
        RUDDER,
        PlanError::MissingEventName {
            looked_in: "event, name, properties.name",
        },
        "no event name: looked in event, name, properties.name",
    );
    golden_err(
        &unnamed,
        DEFAULT,
        PlanError::MissingEventName {
            looked_in: "name, event, properties.name",
        },
        "no event name: looked in name, event, properties.name",
    );
}

#[test]
fn seed_rudderstack_track() {
    let m = json!({"type":"track","event":"Product Purchased","userId":"userid",
        "anonymousId":"d80b66d5-b33d-412d-866f-r4fft5841af",
        "properties":{"category":"category","label":"label","name":"Rubik's Cube"},
        "context":{"traits":{"email":"name@surname.com"}}});
    golden(
        &m,
        RUDDER,
        json!({"plan":"apply","type":"track","email":"name@surname.com",
        "actions":[{"action":"track_event","name":"Product Purchased","data":"Rubik's Cube",
            "email":"name@surname.com"}]}),
    );
    let no_data = json!({"plan":"apply","type":"track","email":"name@surname.com",
        "actions":[{"action":"track_event","name":"Product Purchased","email":"name@surname.com"}]});
    golden(&m, DEFAULT, no_data.clone());
    golden(&m, SEGMENT, no_data);
}

#[test]
fn track_event_names_and_data_per_flavour() {
    // RudderStack names an event by properties.name when `event` is missing.
    let unnamed = json!({"type":"track","userId":"u1","properties":{"name":"Rubik's Cube"},
        "context":{"traits":{"email":"a@b.co"}}});
    golden(
        &unnamed,
        RUDDER,
        json!({"plan":"apply","type":"track","email":"a@b.co",
        "actions":[{"action":"track_event","name":"Rubik's Cube","data":"Rubik's Cube","email":"a@b.co"}]}),
    );
    for flavor in [DEFAULT, SEGMENT] {
        golden_err(
            &unnamed,
            flavor,
            PlanError::MissingEventName { looked_in: "event" },
            "no event name: looked in event",
        );
    }
    let nothing = json!({"type":"track","userId":"u1","context":{"traits":{"email":"a@b.co"}}});
    golden_err(
        &nothing,
        RUDDER,
        PlanError::MissingEventName {
            looked_in: "event, properties.name",
        },
        "no event name: looked in event, properties.name",
    );

    // eventData (an object: JSON-encoded) beats `value` in default; RudderStack takes it too;
    // Segment reads only acValue.
    let m = json!({"type":"track","userId":"u1","event":"E",
        "properties":{"eventData":{"sku":"r-1","qty":2},"value":3},
        "context":{"traits":{"email":"a@b.co"}}});
    let encoded = json!({"plan":"apply","type":"track","email":"a@b.co",
        "actions":[{"action":"track_event","name":"E","data":"{\"qty\":2,\"sku\":\"r-1\"}","email":"a@b.co"}]});
    golden(&m, DEFAULT, encoded.clone());
    golden(&m, RUDDER, encoded);
    golden(
        &m,
        SEGMENT,
        json!({"plan":"apply","type":"track","email":"a@b.co",
        "actions":[{"action":"track_event","name":"E","email":"a@b.co"}]}),
    );
    // default: acValue first, `value` (a number) last.
    let both = json!({"type":"track","userId":"u1","event":"E",
        "properties":{"acValue":"A","eventData":"D","value":3},"context":{"traits":{"email":"a@b.co"}}});
    golden(
        &both,
        DEFAULT,
        json!({"plan":"apply","type":"track","email":"a@b.co",
        "actions":[{"action":"track_event","name":"E","data":"A","email":"a@b.co"}]}),
    );
    let value = json!({"type":"track","userId":"u1","event":"E","properties":{"value":3},
        "context":{"traits":{"email":"a@b.co"}}});
    golden(
        &value,
        DEFAULT,
        json!({"plan":"apply","type":"track","email":"a@b.co",
        "actions":[{"action":"track_event","name":"E","data":"3","email":"a@b.co"}]}),
    );

    // AC's 32-character limit on event names.
    let long = json!({"type":"track","userId":"u1","event":"An event name well over the limit",
        "context":{"traits":{"email":"a@b.co"}}});
    golden_err(
        &long,
        DEFAULT,
        PlanError::InvalidTrait {
            key: "event".into(),
            reason: "the event name has 33 characters; AC accepts at most 32".into(),
        },
        "trait `event`: the event name has 33 characters; AC accepts at most 32",
    );
}

#[test]
fn track_without_an_email() {
    let m = json!({"type":"track","userId":"ze8rt1u89","anonymousId":"a1","event":"Signed Up"});
    for flavor in [DEFAULT, SEGMENT] {
        let (e, text) = no_email(flavor);
        golden_err(&m, flavor, e, &text);
    }
    // RudderStack sends it without a visit (never `{"email":"undefined"}`).
    golden(
        &m,
        RUDDER,
        json!({"plan":"apply","type":"track",
        "actions":[{"action":"track_event","name":"Signed Up"}]}),
    );
    // The email from properties, or from an email-shaped userId (not in rudderstack).
    let from_props = json!({"type":"track","event":"E","properties":{"email":"p@x.io"}});
    golden(
        &from_props,
        SEGMENT,
        json!({"plan":"apply","type":"track","email":"p@x.io",
        "actions":[{"action":"track_event","name":"E","email":"p@x.io"}]}),
    );
    let from_user_id = json!({"type":"track","event":"E","userId":"u@x.io"});
    golden(
        &from_user_id,
        DEFAULT,
        json!({"plan":"apply","type":"track","email":"u@x.io",
        "actions":[{"action":"track_event","name":"E","email":"u@x.io"}]}),
    );
    golden(
        &from_user_id,
        RUDDER,
        json!({"plan":"apply","type":"track",
        "actions":[{"action":"track_event","name":"E"}]}),
    );
}

/// RudderStack's identify examples, with the traits in `traits` (Segment SDKs, RudderStack JS)
/// and only in `context.traits` (RudderStack's Python SDK).
fn john(extra: Value) -> [Value; 2] {
    let mut traits = json!({"email":"name@surname.com","name":"John Doe","phone":"2364556"});
    for (k, v) in extra.as_object().unwrap() {
        traits[k] = v.clone();
    }
    let own = json!({"type":"identify","userId":"userid",
        "anonymousId":"d80b66d5-b33d-412d-866f-r4fft5841af","traits":traits,
        "context":{"library":{"name":"analytics.js","version":"2.11.1"}}});
    let context_only = json!({"type":"identify","userId":"userid",
        "anonymousId":"d80b66d5-b33d-412d-866f-r4fft5841af","channel":"server",
        "messageId":"4d5a1c92-0a5e-4a3a-9f59-2b0a3c9c8e11",
        "timestamp":"2026-12-01T20:40:30.399457+00:00","integrations":{"All":true},
        "context":{"library":{"name":"analytics-python","version":"2.1.9"},"traits":traits}});
    [own, context_only]
}

fn john_sync(field_values: Option<Value>) -> Value {
    let mut sync = json!({"action":"sync_contact","email":"name@surname.com","first_name":"John",
        "last_name":"Doe","phone":"2364556","create_if_missing":true});
    if let Some(fv) = field_values {
        sync["field_values"] = fv;
    }
    sync
}

#[test]
fn seed_rudderstack_identify() {
    // The name is split (RudderStack never does), so the segment flavour may create.
    for m in &john(json!({})) {
        for flavor in [RUDDER, DEFAULT, SEGMENT] {
            golden(
                m,
                flavor,
                json!({"plan":"apply","type":"identify","email":"name@surname.com",
                "actions":[john_sync(None)]}),
            );
        }
    }
}

#[test]
fn seed_rudderstack_tags() {
    for m in &john(json!({"tags":["Returning User","Coupon Used"]})) {
        for flavor in [RUDDER, DEFAULT, SEGMENT] {
            golden(
                m,
                flavor,
                json!({"plan":"apply","type":"identify","email":"name@surname.com",
                "actions":[john_sync(None),
                    {"action":"add_tag","name":"Returning User"},
                    {"action":"add_tag","name":"Coupon Used"}]}),
            );
        }
    }
}

fn field_info() -> Value {
    json!({"fieldInfo":{"Interest":"Electronics","Country":"USA","Hobbies":["Cricket","Tennis"]}})
}

#[test]
fn seed_rudderstack_field_info() {
    for m in &john(field_info()) {
        let fields = json!({"plan":"apply","type":"identify","email":"name@surname.com",
            "actions":[john_sync(Some(json!([{"field":"5","value":"USA"},
                {"field":"6","value":"||Cricket||Tennis||"},{"field":"4","value":"Electronics"}])))]});
        golden(m, RUDDER, fields.clone());
        golden(m, DEFAULT, fields);
        golden(
            m,
            SEGMENT,
            json!({"plan":"apply","type":"identify","email":"name@surname.com",
            "actions":[john_sync(None)],
            "notes":["trait `fieldInfo` is not read in the segment flavour (custom fields come from top-level traits)"]}),
        );
    }
}

#[test]
fn seed_rudderstack_lists() {
    let extra = json!({"tags":["Returning User","Coupon Used"],
        "fieldInfo":{"Interest":"Electronics","Country":"USA","Hobbies":["Cricket","Tennis"]},
        "lists":[{"id":2,"status":"subscribe"},{"id":3,"status":"unsubscribe"}]});
    for m in &john(extra) {
        let full = json!({"plan":"apply","type":"identify","email":"name@surname.com",
            "actions":[john_sync(Some(json!([{"field":"5","value":"USA"},
                    {"field":"6","value":"||Cricket||Tennis||"},{"field":"4","value":"Electronics"}]))),
                {"action":"add_tag","name":"Returning User"},
                {"action":"add_tag","name":"Coupon Used"},
                {"action":"set_list_status","list":"2","status":"subscribed"},
                {"action":"set_list_status","list":"3","status":"unsubscribed"}]});
        golden(m, RUDDER, full.clone());
        golden(m, DEFAULT, full);
        golden(
            m,
            SEGMENT,
            json!({"plan":"apply","type":"identify","email":"name@surname.com",
            "actions":[john_sync(None),
                {"action":"add_tag","name":"Returning User"},
                {"action":"add_tag","name":"Coupon Used"}],
            "notes":["trait `fieldInfo` is not read in the segment flavour (custom fields come from top-level traits)",
                "list 2: status \"subscribe\" is not one of active, unsubscribed (flavour segment): skipped",
                "list 3: status \"unsubscribe\" is not one of active, unsubscribed (flavour segment): skipped"]}),
        );
    }
}

#[test]
fn own_traits_win_over_context_traits_key_by_key() {
    let m = json!({"type":"identify","userId":"u1",
        "traits":{"email":null,"first_name":"Own","shirtSize":"L","state":null},
        "context":{"traits":{"email":"ctx@x.io","firstName":"Ctx","lastName":"Kim",
            "shirt_size":"S","state":"Ohio"}}});
    golden(
        &m,
        DEFAULT,
        json!({"plan":"apply","type":"identify","email":"ctx@x.io",
        "actions":[{"action":"sync_contact","email":"ctx@x.io","first_name":"Own","last_name":"Kim",
            "create_if_missing":true,
            "field_values":[{"field":"1","value":"L"},{"field":"2","value":"Ohio"}]}]}),
    );
}

// ---------------------------------------------------------------------------------------------
// The integrations switch, types, ids, unsupported messages
// ---------------------------------------------------------------------------------------------

#[test]
fn integrations_switch() {
    let with = |integrations: Value| {
        json!({"type":"track","event":"E","userId":"u1","integrations":integrations,
            "context":{"traits":{"email":"a@b.co"}}})
    };
    let applied = json!({"plan":"apply","type":"track","email":"a@b.co",
        "actions":[{"action":"track_event","name":"E","email":"a@b.co"}]});
    let disabled = skip("disabled for ActiveCampaign by the message's `integrations`");
    for flavor in [DEFAULT, SEGMENT, RUDDER] {
        golden(&with(json!({})), flavor, applied.clone());
        golden(&with(json!(null)), flavor, applied.clone());
        golden(&with(json!({"All":true})), flavor, applied.clone());
        golden(&with(json!({"All":false})), flavor, disabled.clone());
        golden(
            &with(json!({"All":false,"ActiveCampaign":true})),
            flavor,
            applied.clone(),
        );
        golden(
            &with(json!({"All":false,"ActiveCampaign":{"listId":3}})),
            flavor,
            applied.clone(),
        );
        golden(
            &with(json!({"All":true,"ActiveCampaign":false})),
            flavor,
            disabled.clone(),
        );
        golden(
            &with(json!({"ActiveCampaign":false})),
            flavor,
            disabled.clone(),
        );
        golden(
            &with(json!({"All":false,"ActiveCampaign":null})),
            flavor,
            disabled.clone(),
        );
        golden(
            &with(json!({"All":false,"Mixpanel":true})),
            flavor,
            disabled.clone(),
        );
        golden(
            &with(json!({"All":true,"Mixpanel":false})),
            flavor,
            applied.clone(),
        );
    }
    // A disabled message is skipped before it is looked at: no email is needed.
    let bare = json!({"type":"identify","integrations":{"All":false}});
    golden(&bare, SEGMENT, disabled);
}

#[test]
fn type_in_any_case() {
    for t in ["identify", "IDENTIFY", "Identify", " identify "] {
        let m = json!({"type":t,"traits":{"email":"a@b.co","firstName":"Ada"}});
        golden(
            &m,
            SEGMENT,
            json!({"plan":"apply","type":"identify","email":"a@b.co",
            "actions":[{"action":"sync_contact","email":"a@b.co","first_name":"Ada","create_if_missing":true}]}),
        );
    }
    let m = json!({"type":"TRACK","event":"E","context":{"traits":{"email":"a@b.co"}}});
    golden(
        &m,
        DEFAULT,
        json!({"plan":"apply","type":"track","email":"a@b.co",
        "actions":[{"action":"track_event","name":"E","email":"a@b.co"}]}),
    );
    let m = json!({"type":"Screen","name":"Home","context":{"traits":{"email":"a@b.co"}}});
    golden(
        &m,
        SEGMENT,
        skip("screen is not supported by Segment's ActiveCampaign destination (flavour `segment`)"),
    );
    let m = json!({"type":"Purchase","userId":"u1"});
    golden(&m, DEFAULT, skip("unknown message type `Purchase`"));
}

#[test]
fn null_ids() {
    // Segment Python sends absent ids as null.
    let m = json!({"type":"identify","userId":null,"anonymousId":null,"messageId":null,
        "traits":{"email":"a@b.co","name":"Ada Lovelace"},"context":{"traits":null},
        "integrations":null,"properties":null});
    let expected = json!({"plan":"apply","type":"identify","email":"a@b.co",
        "actions":[{"action":"sync_contact","email":"a@b.co","first_name":"Ada",
            "last_name":"Lovelace","create_if_missing":true}]});
    for flavor in [DEFAULT, SEGMENT, RUDDER] {
        golden(&m, flavor, expected.clone());
    }
    let parsed = Message::from_value(m).unwrap();
    assert_eq!(
        (parsed.user_id, parsed.anonymous_id, parsed.message_id),
        (None, None, None)
    );
    // A null userId is no userId for user_id_field either.
    let cat = catalog();
    let mut s = settings(DEFAULT);
    s.user_id_field = Some("SEGMENT_USER_ID".into());
    let p = planned_with(
        &json!({"type":"identify","userId":null,"traits":{"email":"a@b.co"}}),
        &s,
        Some(&cat),
    );
    assert_eq!(
        p.unwrap(),
        json!({"plan":"apply","type":"identify","email":"a@b.co",
        "actions":[{"action":"sync_contact","email":"a@b.co","create_if_missing":true}]})
    );
}

#[test]
fn alias_is_skipped() {
    let m = json!({"type":"alias","previousId":"anon-1","userId":"ze8rt1u89"});
    for flavor in [DEFAULT, SEGMENT, RUDDER] {
        golden(
            &m,
            flavor,
            skip("alias: ActiveCampaign cannot merge two identities, so alias is not mapped"),
        );
    }
}

#[test]
fn group_only_in_default() {
    let m = json!({"type":"group","userId":"ze8rt1u89","groupId":"acme",
        "traits":{"name":"Acme Inc","website":"https://acme.example","email":"billing@acme.example",
            "employees":40,"plan":"enterprise"},
        "context":{"traits":{"email":"jane.kim@example.com","name":"Jane Kim"}}});
    // The person from context.traits (never the company's email), the account from traits.
    golden(
        &m,
        DEFAULT,
        json!({"plan":"apply","type":"group","email":"jane.kim@example.com",
        "actions":[{"action":"sync_contact","email":"jane.kim@example.com","first_name":"Jane",
                "last_name":"Kim","create_if_missing":true},
            {"action":"link_account","name":"Acme Inc","website":"https://acme.example"}]}),
    );
    golden(&m, SEGMENT, skip("group is not supported by the segment flavour (only `default` maps groups to accounts)"));
    golden(&m, RUDDER, skip("group is not supported by the rudderstack flavour (only `default` maps groups to accounts)"));

    let no_website = json!({"type":"group","userId":"jane.kim@example.com","groupId":"acme",
        "traits":{"name":"  Acme Inc "}});
    golden(
        &no_website,
        DEFAULT,
        json!({"plan":"apply","type":"group","email":"jane.kim@example.com",
        "actions":[{"action":"sync_contact","email":"jane.kim@example.com","create_if_missing":true},
            {"action":"link_account","name":"Acme Inc"}]}),
    );

    let unnamed = json!({"type":"group","groupId":"acme","traits":{"website":"https://acme.example"},
        "context":{"traits":{"email":"jane.kim@example.com"}}});
    golden_err(
        &unnamed,
        DEFAULT,
        PlanError::MissingGroupName,
        "a group needs the account's name in traits.name",
    );
    let nobody = json!({"type":"group","groupId":"acme","traits":{"name":"Acme Inc","email":"billing@acme.example"}});
    let (e, text) = no_email(DEFAULT);
    golden_err(&nobody, DEFAULT, e, &text);
}

// ---------------------------------------------------------------------------------------------
// Custom field values
// ---------------------------------------------------------------------------------------------

fn ada(traits: Value) -> Value {
    let mut t = json!({"email":"ada@example.com","firstName":"Ada"});
    for (k, v) in traits.as_object().unwrap() {
        t[k] = v.clone();
    }
    json!({"type":"identify","userId":"ada-1","traits":t})
}

fn ada_plan(field_values: Value, notes: Option<Value>) -> Value {
    let mut p = json!({"plan":"apply","type":"identify","email":"ada@example.com",
        "actions":[{"action":"sync_contact","email":"ada@example.com","first_name":"Ada",
            "create_if_missing":true,"field_values":field_values}]});
    if let Some(n) = notes {
        p["notes"] = n;
    }
    p
}

#[test]
fn dates_keep_the_calendar_date_as_written() {
    for written in [
        "1990-04-01T00:00:00Z",
        "1990-04-01",
        "1990-04-01T23:30:00-05:00",
        "1990-04-01T00:30:00+14:00",
        "1990-04-01 08:00:00",
    ] {
        let m = ada(json!({"signupDate":written}));
        for flavor in [DEFAULT, SEGMENT] {
            golden(
                &m,
                flavor,
                ada_plan(json!([{"field":"7","value":"1990-04-01"}]), None),
            );
        }
    }
    // Through fieldInfo (by title), in default and rudderstack.
    let m =
        ada(json!({"fieldInfo":{"Birthday":"1990-04-01T00:00:00Z","Signup Date":"2001-02-03"}}));
    for flavor in [DEFAULT, RUDDER] {
        golden(
            &m,
            flavor,
            ada_plan(
                json!([{"field":"14","value":"1990-04-01"},
            {"field":"7","value":"2001-02-03"}]),
                None,
            ),
        );
    }
}

#[test]
fn datetimes_become_iso_8601_with_an_offset() {
    let cases = [
        ("2024-11-01T13:05:00-06:00", "2024-11-01T13:05:00-06:00"),
        ("2024-11-01T19:05:00Z", "2024-11-01T19:05:00+00:00"),
        ("2024-11-01T19:05:00.123Z", "2024-11-01T19:05:00+00:00"),
        ("2024-11-01 13:05:00", "2024-11-01T13:05:00+00:00"),
        ("2024-11-01", "2024-11-01T00:00:00+00:00"),
    ];
    for (written, sent) in cases {
        golden(
            &ada(json!({"lastSeen":written})),
            DEFAULT,
            ada_plan(json!([{"field":"8","value":sent}]), None),
        );
        golden(
            &ada(json!({"fieldInfo":{"Last Seen":written}})),
            RUDDER,
            ada_plan(json!([{"field":"8","value":sent}]), None),
        );
    }
}

#[test]
fn a_value_that_does_not_fit_its_field_is_an_error_naming_both() {
    golden_err(&ada(json!({"signupDate":"soon"})), DEFAULT,
        PlanError::InvalidTrait {
            key: "signupDate".into(),
            reason: "`soon` is not a date (expected YYYY-MM-DD or an ISO-8601 date-time) (custom field `Signup Date`, type date)".into(),
        },
        "trait `signupDate`: `soon` is not a date (expected YYYY-MM-DD or an ISO-8601 date-time) (custom field `Signup Date`, type date)");
    golden_err(
        &ada(json!({"logins":"many"})),
        SEGMENT,
        PlanError::InvalidTrait {
            key: "logins".into(),
            reason: "`many` is not a number (custom field `Logins`, type number)".into(),
        },
        "trait `logins`: `many` is not a number (custom field `Logins`, type number)",
    );
}

#[test]
fn numbers_and_booleans_become_strings() {
    let m = ada(json!({"logins":42,"newsletter":true,"state":7,"shirtSize":1.5}));
    let expected = ada_plan(
        json!([{"field":"11","value":"42"},{"field":"13","value":"1"},
        {"field":"1","value":"1.5"},{"field":"2","value":"7"}]),
        None,
    );
    golden(&m, DEFAULT, expected.clone());
    golden(&m, SEGMENT, expected);
    let m = ada(json!({"fieldInfo":{"Logins":2.5,"Newsletter":false,"Multi Choice":[1,"b",true]}}));
    golden(
        &m,
        RUDDER,
        ada_plan(
            json!([{"field":"11","value":"2.5"},
        {"field":"3","value":"||1||b||true||"},{"field":"13","value":"0"}]),
            None,
        ),
    );
}

#[test]
fn unmatched_traits_are_notes() {
    let m = ada(json!({"favouriteColour":"blue","shirt_size":"M","plan":"pro"}));
    let expected = ada_plan(
        json!([{"field":"1","value":"M"}]),
        Some(json!([
            "traits matching no custom field (ignored): favouriteColour, plan"
        ])),
    );
    golden(&m, DEFAULT, expected.clone());
    golden(&m, SEGMENT, expected);
    // fieldInfo titles: loose in default, exact in rudderstack.
    let m = ada(json!({"fieldInfo":{"interest":"x","Country":"USA","Nope":1}}));
    golden(
        &m,
        DEFAULT,
        ada_plan(
            json!([{"field":"5","value":"USA"},{"field":"4","value":"x"}]),
            Some(json!(["traits matching no custom field (ignored): Nope"])),
        ),
    );
    golden(
        &m,
        RUDDER,
        ada_plan(
            json!([{"field":"5","value":"USA"}]),
            Some(json!([
                "traits matching no custom field (ignored): Nope, interest"
            ])),
        ),
    );
    // A fieldInfo that is not an object.
    golden_err(
        &ada(json!({"fieldInfo":["Interest"]})),
        RUDDER,
        PlanError::InvalidTrait {
            key: "fieldInfo".into(),
            reason: "must be an object of field title → value".into(),
        },
        "trait `fieldInfo`: must be an object of field title → value",
    );
}

#[test]
fn reserved_traits_never_become_custom_fields() {
    // `title` and `birthday` have fields of their own name here; they still are not set.
    let m = ada(
        json!({"title":"CTO","birthday":"1990-04-01","Birth Day":"1990-04-01",
        "created_at":"2020-01-01T00:00:00Z","company":{"name":"Acme"},"address":{"city":"X"},
        "website":"https://ada.example","username":"ada","age":36,"gender":"f","id":"ada-1",
        "avatar":"https://img","description":"d","name":"Ada Lovelace","phone":"+1 555"}),
    );
    let expected = json!({"plan":"apply","type":"identify","email":"ada@example.com",
        "actions":[{"action":"sync_contact","email":"ada@example.com","first_name":"Ada",
            "phone":"+1 555","create_if_missing":true}]});
    golden(&m, DEFAULT, expected.clone());
    golden(&m, SEGMENT, expected);
    // fieldInfo names a field directly: there the title is just a title.
    let m = ada(json!({"fieldInfo":{"Title":"CTO"}}));
    golden(
        &m,
        DEFAULT,
        ada_plan(json!([{"field":"12","value":"CTO"}]), None),
    );
}

#[test]
fn user_id_field_stores_the_segment_user_id() {
    let cat = catalog();
    for flavor in [DEFAULT, SEGMENT, RUDDER] {
        let mut s = settings(flavor);
        s.user_id_field = Some("SEGMENT_USER_ID".into());
        let p = planned_with(&jane(json!({})), &s, Some(&cat)).unwrap();
        assert_eq!(
            p,
            json!({"plan":"apply","type":"identify","email":"jane.kim@example.com",
            "actions":[{"action":"sync_contact","email":"jane.kim@example.com","first_name":"Jane",
                "last_name":"Kim","create_if_missing":true,
                "field_values":[{"field":"10","value":"ze8rt1u89"}]}]}),
            "flavour {flavor}"
        );
    }
    let mut s = settings(DEFAULT);
    s.user_id_field = Some("%EXTERNAL_ID%".into());
    let p = planned_with(&jane(json!({})), &s, Some(&cat)).unwrap();
    assert_eq!(
        p,
        json!({"plan":"apply","type":"identify","email":"jane.kim@example.com",
        "actions":[{"action":"sync_contact","email":"jane.kim@example.com","first_name":"Jane",
            "last_name":"Kim","create_if_missing":true}],
        "notes":["user_id_field `%EXTERNAL_ID%` matches no custom field: userId not stored"]})
    );
}

#[test]
fn without_the_field_catalog_candidates_are_reported() {
    let m = jane(json!({"shirtSize":"medium","state":"California",
        "fieldInfo":{"Interest":"Electronics"},"tags":["vip"]}));
    let sync = json!({"action":"sync_contact","email":"jane.kim@example.com","first_name":"Jane",
        "last_name":"Kim","create_if_missing":true});
    let dry = |flavor| planned_with(&m, &settings(flavor), None).unwrap();
    assert_eq!(
        dry(DEFAULT),
        json!({"plan":"apply","type":"identify","email":"jane.kim@example.com",
        "actions":[sync, {"action":"add_tag","name":"vip"}],
        "notes":["custom fields not looked up (dry run): fieldInfo, shirtSize, state would be matched against the account's fields"]})
    );
    assert_eq!(
        dry(SEGMENT),
        json!({"plan":"apply","type":"identify","email":"jane.kim@example.com",
        "actions":[sync, {"action":"add_tag","name":"vip"}],
        "notes":["trait `fieldInfo` is not read in the segment flavour (custom fields come from top-level traits)",
            "custom fields not looked up (dry run): shirtSize, state would be matched against the account's fields"]})
    );
    assert_eq!(
        dry(RUDDER),
        json!({"plan":"apply","type":"identify","email":"jane.kim@example.com",
        "actions":[sync, {"action":"add_tag","name":"vip"}],
        "notes":["traits not read as custom fields in the rudderstack flavour (only `fieldInfo` is): shirtSize, state",
            "custom fields not looked up (dry run): fieldInfo would be matched against the account's fields"]})
    );
}

// ---------------------------------------------------------------------------------------------
// Names, tags, lists
// ---------------------------------------------------------------------------------------------

#[test]
fn segment_creates_only_with_a_name() {
    let nameless = json!({"type":"identify","userId":"ze8rt1u89","traits":{"email":"jane.kim@example.com","phone":"555"}});
    golden(
        &nameless,
        SEGMENT,
        json!({"plan":"apply","type":"identify","email":"jane.kim@example.com",
        "actions":[{"action":"sync_contact","email":"jane.kim@example.com","phone":"555","create_if_missing":false}]}),
    );
    for flavor in [DEFAULT, RUDDER] {
        golden(
            &nameless,
            flavor,
            json!({"plan":"apply","type":"identify","email":"jane.kim@example.com",
            "actions":[{"action":"sync_contact","email":"jane.kim@example.com","phone":"555","create_if_missing":true}]}),
        );
    }
    // A last name alone is a name; so is a one-word `name`; an empty one is not.
    let last_only = json!({"type":"identify","traits":{"email":"a@b.co","last_name":"Kim"}});
    golden(
        &last_only,
        SEGMENT,
        json!({"plan":"apply","type":"identify","email":"a@b.co",
        "actions":[{"action":"sync_contact","email":"a@b.co","last_name":"Kim","create_if_missing":true}]}),
    );
    let one_word = json!({"type":"identify","traits":{"email":"a@b.co","name":"  Cher "}});
    golden(
        &one_word,
        SEGMENT,
        json!({"plan":"apply","type":"identify","email":"a@b.co",
        "actions":[{"action":"sync_contact","email":"a@b.co","first_name":"Cher","create_if_missing":true}]}),
    );
    let blank = json!({"type":"identify","traits":{"email":"a@b.co","name":"   ","firstName":""}});
    golden(
        &blank,
        SEGMENT,
        json!({"plan":"apply","type":"identify","email":"a@b.co",
        "actions":[{"action":"sync_contact","email":"a@b.co","create_if_missing":false}]}),
    );
    // `name` split at the first space, after trimming.
    let full = json!({"type":"identify","traits":{"email":"a@b.co","name":" Ada  King Lovelace "}});
    golden(
        &full,
        SEGMENT,
        json!({"plan":"apply","type":"identify","email":"a@b.co",
        "actions":[{"action":"sync_contact","email":"a@b.co","first_name":"Ada",
            "last_name":"King Lovelace","create_if_missing":true}]}),
    );
}

#[test]
fn identify_without_an_email_names_where_it_looked() {
    let m = json!({"type":"identify","userId":"ze8rt1u89","traits":{"firstName":"Jane","emailAddress":"x"}});
    for flavor in [DEFAULT, SEGMENT, RUDDER] {
        let (e, text) = no_email(flavor);
        golden_err(&m, flavor, e, &text);
    }
    assert_eq!(no_email(DEFAULT).1,
        "no email: looked in traits.email, context.traits.email, properties.email, userId (when an email)");
    assert_eq!(
        no_email(RUDDER).1,
        "no email: looked in traits.email, context.traits.email, properties.email"
    );
    // An email-shaped userId is the email, except in rudderstack.
    let by_user_id =
        json!({"type":"identify","userId":"jane.kim@example.com","traits":{"firstName":"Jane"}});
    golden(
        &by_user_id,
        SEGMENT,
        json!({"plan":"apply","type":"identify","email":"jane.kim@example.com",
        "actions":[{"action":"sync_contact","email":"jane.kim@example.com","first_name":"Jane","create_if_missing":true}]}),
    );
    let (e, text) = no_email(RUDDER);
    golden_err(&by_user_id, RUDDER, e, &text);
    // Keys match loosely.
    let loose =
        json!({"type":"identify","traits":{"E-Mail":"jane.kim@example.com","First Name":"Jane"}});
    golden(
        &loose,
        SEGMENT,
        json!({"plan":"apply","type":"identify","email":"jane.kim@example.com",
        "actions":[{"action":"sync_contact","email":"jane.kim@example.com","first_name":"Jane","create_if_missing":true}]}),
    );
    // A null under the exact key hides nothing.
    let shadowed = json!({"type":"identify","traits":{"email":null,"Email":"jane.kim@example.com",
        "firstName":null,"first_name":"Jane"}});
    for flavor in [DEFAULT, SEGMENT, RUDDER] {
        golden(
            &shadowed,
            flavor,
            json!({"plan":"apply","type":"identify","email":"jane.kim@example.com",
            "actions":[{"action":"sync_contact","email":"jane.kim@example.com","first_name":"Jane","create_if_missing":true}]}),
        );
    }
}

#[test]
fn comma_separated_tags_only_in_default() {
    let m = ada(json!({"tags":"checkout, abandoned,,checkout "}));
    golden(
        &m,
        DEFAULT,
        json!({"plan":"apply","type":"identify","email":"ada@example.com",
        "actions":[{"action":"sync_contact","email":"ada@example.com","first_name":"Ada","create_if_missing":true},
            {"action":"add_tag","name":"checkout"},{"action":"add_tag","name":"abandoned"}]}),
    );
    golden_err(&m, SEGMENT,
        PlanError::InvalidTrait {
            key: "tags".into(),
            reason: "must be an array of tag names in the segment flavour (a comma-separated string is accepted only in `default`)".into(),
        },
        "trait `tags`: must be an array of tag names in the segment flavour (a comma-separated string is accepted only in `default`)");
    // RudderStack skips a non-array `tags` and still syncs the contact.
    golden(
        &m,
        RUDDER,
        json!({"plan":"apply","type":"identify","email":"ada@example.com",
        "actions":[{"action":"sync_contact","email":"ada@example.com","first_name":"Ada","create_if_missing":true}],
        "notes":["trait `tags` must be an array of tag names in the rudderstack flavour (a comma-separated string is accepted only in `default`): no tags added"]}),
    );
    // Arrays: trimmed, numbers as names, blanks and duplicates dropped, order kept.
    let m = ada(json!({"tags":[" vip ", 2024, "", "vip", null, "b"]}));
    for flavor in [DEFAULT, SEGMENT, RUDDER] {
        golden(
            &m,
            flavor,
            json!({"plan":"apply","type":"identify","email":"ada@example.com",
            "actions":[{"action":"sync_contact","email":"ada@example.com","first_name":"Ada","create_if_missing":true},
                {"action":"add_tag","name":"vip"},{"action":"add_tag","name":"2024"},{"action":"add_tag","name":"b"}]}),
        );
    }
}

#[test]
fn tags_reset_only_in_default_and_segment() {
    for reset in [json!(1), json!(true), json!("1"), json!("true")] {
        let m = ada(json!({"tagsReset":reset,"tags":["a"]}));
        for flavor in [DEFAULT, SEGMENT] {
            golden(
                &m,
                flavor,
                json!({"plan":"apply","type":"identify","email":"ada@example.com",
                "actions":[{"action":"sync_contact","email":"ada@example.com","first_name":"Ada","create_if_missing":true},
                    {"action":"reset_tags"},{"action":"add_tag","name":"a"}]}),
            );
        }
        golden(
            &m,
            RUDDER,
            json!({"plan":"apply","type":"identify","email":"ada@example.com",
            "actions":[{"action":"sync_contact","email":"ada@example.com","first_name":"Ada","create_if_missing":true},
                {"action":"add_tag","name":"a"}],
            "notes":["trait `tagsReset` is not read in the rudderstack flavour: the contact's tags are kept"]}),
        );
    }
    for no_reset in [json!(0), json!(false), json!("0"), json!(2)] {
        let m = ada(json!({"tagsReset":no_reset,"tags":["a"]}));
        golden(
            &m,
            SEGMENT,
            json!({"plan":"apply","type":"identify","email":"ada@example.com",
            "actions":[{"action":"sync_contact","email":"ada@example.com","first_name":"Ada","create_if_missing":true},
                {"action":"add_tag","name":"a"}]}),
        );
    }
}

#[test]
fn list_status_words_per_flavour() {
    let sync = json!({"action":"sync_contact","email":"ada@example.com","first_name":"Ada","create_if_missing":true});
    let on = |id: &str| json!({"action":"set_list_status","list":id,"status":"subscribed"});
    let off = |id: &str| json!({"action":"set_list_status","list":id,"status":"unsubscribed"});
    let m = ada(
        json!({"lists":[{"id":1,"status":"active"},{"id":2,"status":"subscribe"},
        {"id":"3","status":"Subscribed"},{"id":4,"status":1},{"id":5,"status":"unsubscribed"},
        {"id":6,"status":"unsubscribe"},{"id":7,"status":"2"}]}),
    );
    golden(
        &m,
        DEFAULT,
        json!({"plan":"apply","type":"identify","email":"ada@example.com",
        "actions":[sync, on("1"), on("2"), on("3"), on("4"), off("5"), off("6"), off("7")]}),
    );
    golden(
        &m,
        SEGMENT,
        json!({"plan":"apply","type":"identify","email":"ada@example.com",
        "actions":[sync, on("1"), off("5")],
        "notes":["list 2: status \"subscribe\" is not one of active, unsubscribed (flavour segment): skipped",
            "list 3: status \"Subscribed\" is not one of active, unsubscribed (flavour segment): skipped",
            "list 4: status 1 is not one of active, unsubscribed (flavour segment): skipped",
            "list 6: status \"unsubscribe\" is not one of active, unsubscribed (flavour segment): skipped",
            "list 7: status \"2\" is not one of active, unsubscribed (flavour segment): skipped"]}),
    );
    golden(
        &m,
        RUDDER,
        json!({"plan":"apply","type":"identify","email":"ada@example.com",
        "actions":[sync, on("2"), off("6")],
        "notes":["list 1: status \"active\" is not one of subscribe, unsubscribe (flavour rudderstack): skipped",
            "list 3: status \"Subscribed\" is not one of subscribe, unsubscribe (flavour rudderstack): skipped",
            "list 4: status 1 is not one of subscribe, unsubscribe (flavour rudderstack): skipped",
            "list 5: status \"unsubscribed\" is not one of subscribe, unsubscribe (flavour rudderstack): skipped",
            "list 7: status \"2\" is not one of subscribe, unsubscribe (flavour rudderstack): skipped"]}),
    );
}

#[test]
fn unknown_list_statuses_and_ids_are_notes() {
    let sync = json!({"action":"sync_contact","email":"ada@example.com","first_name":"Ada","create_if_missing":true});
    let m = ada(
        json!({"lists":[{"id":4,"status":"unsubscribexyz"},{"id":5},{"status":"active"},
        {"id":0,"status":"active"},"8"]}),
    );
    golden(
        &m,
        DEFAULT,
        json!({"plan":"apply","type":"identify","email":"ada@example.com",
        "actions":[sync],
        "notes":["list 4: status \"unsubscribexyz\" is not one of active, subscribe, subscribed, 1, unsubscribed, unsubscribe, 2 (flavour default): skipped",
            "list 5: status (missing) is not one of active, subscribe, subscribed, 1, unsubscribed, unsubscribe, 2 (flavour default): skipped",
            "list entry {\"status\":\"active\"} has no valid `id`: skipped",
            "list entry {\"id\":0,\"status\":\"active\"} has no valid `id`: skipped",
            "list entry \"8\" has no valid `id`: skipped"]}),
    );
    // One object instead of an array; the last status for a list wins.
    let m = ada(json!({"lists":{"id":"9","status":"active"}}));
    golden(
        &m,
        SEGMENT,
        json!({"plan":"apply","type":"identify","email":"ada@example.com",
        "actions":[sync, {"action":"set_list_status","list":"9","status":"subscribed"}]}),
    );
    let m = ada(
        json!({"lists":[{"id":9,"status":"active"},{"id":8,"status":"active"},{"id":9,"status":"unsubscribed"}]}),
    );
    golden(
        &m,
        SEGMENT,
        json!({"plan":"apply","type":"identify","email":"ada@example.com",
        "actions":[sync, {"action":"set_list_status","list":"8","status":"subscribed"},
            {"action":"set_list_status","list":"9","status":"unsubscribed"}]}),
    );
}

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------

#[test]
fn settings_in_segment_shape() {
    let s = Settings::from_json(
        br#"{"apiKey":"5292218aadbe410acf66c44164c4be2de4bbf184c509ef699d85a0e8da1d9fabeda175df",
        "apiSecret":"https://acme.api-us1.com"}"#,
    )
    .unwrap();
    assert_eq!(s.api_url.as_deref(), Some("https://acme.api-us1.com"));
    assert_eq!(
        s.api_token
            .as_ref()
            .map(|t| t.expose_secret().to_owned())
            .as_deref(),
        Some("5292218aadbe410acf66c44164c4be2de4bbf184c509ef699d85a0e8da1d9fabeda175df")
    );
    assert_eq!(s.flavor, DEFAULT);
    assert_eq!(s.actid, None);
    assert!(s.event_key.is_none());
    assert!(!format!("{s:?}").contains("5292218a"));
    // With the extras Segment's catalog lacks.
    let s = Settings::from_json(
        br#"{"apiKey":"k","apiSecret":"https://acme.api-us1.com",
        "actid":"25","event_key":"ek","flavor":"Segment","user_id_field":"SEGMENT_USER_ID",
        "audiences_as_tags":"yes","exclude_automations":true}"#,
    )
    .unwrap();
    assert_eq!(s.flavor, SEGMENT);
    assert_eq!(s.actid.as_deref(), Some("25"));
    assert_eq!(
        s.event_key
            .as_ref()
            .map(|k| k.expose_secret().to_owned())
            .as_deref(),
        Some("ek")
    );
    assert_eq!(s.user_id_field.as_deref(), Some("SEGMENT_USER_ID"));
    assert!(s.audiences_as_tags);
    assert!(s.exclude_automations);
}

#[test]
fn settings_in_rudderstack_shape() {
    let s = Settings::from_json(
        br#"{"apiUrl":"https://acme.api-us1.com","apiKey":"rk",
        "actid":476550467,"eventKey":"f2b1c1b6e9","flavour":"rudderstack"}"#,
    )
    .unwrap();
    assert_eq!(s.api_url.as_deref(), Some("https://acme.api-us1.com"));
    assert_eq!(
        s.api_token
            .as_ref()
            .map(|t| t.expose_secret().to_owned())
            .as_deref(),
        Some("rk")
    );
    assert_eq!(s.actid.as_deref(), Some("476550467"));
    assert_eq!(
        s.event_key
            .as_ref()
            .map(|k| k.expose_secret().to_owned())
            .as_deref(),
        Some("f2b1c1b6e9")
    );
    assert_eq!(s.flavor, RUDDER);
    assert!(!s.audiences_as_tags);
    let dbg = format!("{s:?}");
    assert!(
        !dbg.contains("f2b1c1b6e9") && !dbg.contains("\"rk\""),
        "{dbg}"
    );
    // Planned with them, a RudderStack track behaves as RudderStack's.
    let m =
        json!({"type":"track","event":"Product Purchased","properties":{"name":"Rubik's Cube"}});
    let p = planned_with(&m, &s, None).unwrap();
    assert_eq!(
        p,
        json!({"plan":"apply","type":"track",
        "actions":[{"action":"track_event","name":"Product Purchased","data":"Rubik's Cube"}]})
    );
}

#[test]
fn settings_errors_name_the_setting() {
    let e = Settings::from_json(br#"{"apiKey":"k","flavor":"mixpanel"}"#).unwrap_err();
    assert_eq!(e.setting, "flavor");
    assert_eq!(
        e.to_string(),
        "invalid setting `flavor`: `mixpanel` is not a flavour (default, segment or rudderstack)"
    );
    let e = Settings::from_json(b"{").unwrap_err();
    assert_eq!(e.setting, "settings");
}
