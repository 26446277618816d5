//! Golden tests from reference §10.3 and property tests for the webhook payload parser.

use super::*;
use proptest::prelude::*;

/// Encodes `key=value` lines (the reference's decoded form) as a form body.
fn body(lines: &str) -> Vec<u8> {
    let pairs: Vec<(&str, &str)> = lines
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| l.split_once('=').unwrap())
        .collect();
    serde_urlencoded::to_string(pairs).unwrap().into_bytes()
}

const OPEN: &str = "
    type=open
    date_time=2026-05-28T09:15:02-05:00
    initiated_from=public
    initiated_by=public
    list=3
    campaign[id]=12
    campaign[name]=May Newsletter
    campaign[status]=5
    campaign[type]=single
    campaign[recipients]=1520
    campaign[message][id]=17
    campaign[message][subject]=Our May news
    campaign[webcopy_url]=https://acme.activehosted.com/index.php?action=social&c=12.17
    contact[id]=42
    contact[email]=jane@example.com
    contact[first_name]=Jane
    contact[last_name]=Doe
    contact[phone]=
    contact[ip]=203.0.113.7
    contact[tags]=customer, newsletter
    contact[orgname]=
    contact[customer_acct_name]=
    contact[fields][utm_source]=google
    customer_acct_name=
    customer_acct_id=0
    orgname=
    User-Agent=Mozilla/5.0 (...)
";

#[test]
fn golden_open() {
    let p = parse_form(&body(OPEN)).unwrap();
    assert_eq!(p.event_type(), Some(WebhookEvent::Open));
    assert_eq!(
        p.date_time().unwrap().to_rfc3339(),
        "2026-05-28T09:15:02-05:00"
    );
    assert_eq!(p.initiated_from(), Some(WebhookSource::Public));
    assert_eq!(p.initiated_by(), Some("public"));
    assert_eq!(p.list_id(), Some(ListId(3)));
    let c = p.campaign().unwrap();
    assert_eq!(c.id.as_deref(), Some("12"));
    assert_eq!(c.name.as_deref(), Some("May Newsletter"));
    assert_eq!(c.campaign_type.as_deref(), Some("single"));
    assert_eq!(c.recipients, Some(1520));
    assert_eq!(c.message_id.as_deref(), Some("17"));
    assert_eq!(c.message_subject.as_deref(), Some("Our May news"));
    assert_eq!(
        c.webcopy_url.as_deref(),
        Some("https://acme.activehosted.com/index.php?action=social&c=12.17")
    );
    let ct = p.contact().unwrap();
    assert_eq!(ct.id, Some(ContactId(42)));
    assert_eq!(ct.email.as_deref(), Some("jane@example.com"));
    assert_eq!(ct.first_name.as_deref(), Some("Jane"));
    assert_eq!(ct.last_name.as_deref(), Some("Doe"));
    assert_eq!(ct.phone, None);
    assert_eq!(ct.ip.as_deref(), Some("203.0.113.7"));
    assert_eq!(ct.tags, vec!["customer", "newsletter"]);
    assert_eq!(
        ct.fields.get("utm_source").map(String::as_str),
        Some("google")
    );
    assert_eq!(p.user_agent(), Some("Mozilla/5.0 (...)"));
    assert_eq!(p.get("customer_acct_id"), Some("0"));
    assert!(p.link().is_none() && p.bounce().is_none() && p.deal().is_none());
    assert!(p.unsubscribe().is_none());
    assert_eq!(p.pairs().len(), 27);
}

#[test]
fn golden_click() {
    let p = parse_form(&body(&format!(
        "{}\nlink[id]=88\nlink[url]=https://example.com/pricing",
        OPEN.replace("type=open", "type=click")
    )))
    .unwrap();
    assert_eq!(p.event_type(), Some(WebhookEvent::Click));
    let l = p.link().unwrap();
    assert_eq!(l.id.as_deref(), Some("88"));
    assert_eq!(l.url.as_deref(), Some("https://example.com/pricing"));
}

#[test]
fn golden_bounce() {
    let p = parse_form(&body(
        "
        type=bounce
        date_time=2026-05-28T09:20:11-05:00
        initiated_from=system
        initiated_by=system
        list=3
        campaign[id]=12
        campaign[name]=May Newsletter
        contact[id]=43
        contact[email]=nobody@invalid.example
        contact[first_name]=
        contact[last_name]=
        contact[tags]=
        bounce[type]=hard
        bounce[code]=5.1.1
        bounce[description]=User unknown",
    ))
    .unwrap();
    assert_eq!(p.event_type(), Some(WebhookEvent::Bounce));
    assert_eq!(p.initiated_from(), Some(WebhookSource::System));
    let b = p.bounce().unwrap();
    assert_eq!(b.bounce_type.as_deref(), Some("hard"));
    assert_eq!(b.code.as_deref(), Some("5.1.1"));
    assert_eq!(b.description.as_deref(), Some("User unknown"));
    let c = p.contact().unwrap();
    assert!(c.tags.is_empty());
    assert_eq!(c.first_name, None);
    assert_eq!(p.campaign().unwrap().message_subject, None);
}

#[test]
fn golden_unsubscribe_keeps_both_list_forms() {
    let p = parse_form(&body(
        "
        type=unsubscribe
        date_time=2026-05-28T10:01:44-05:00
        initiated_from=public
        initiated_by=public
        list=3
        campaign[id]=12
        campaign[name]=May Newsletter
        contact[id]=42
        contact[email]=jane@example.com
        contact[first_name]=Jane
        contact[last_name]=Doe
        contact[tags]=customer, newsletter
        unsubscribe[reason]=Too many emails
        list[0][id]=3
        form[id]=
        customer_acct_name=
        customer_acct_id=0
        orgname=",
    ))
    .unwrap();
    assert_eq!(p.event_type(), Some(WebhookEvent::Unsubscribe));
    // `list=3` and `list[0][id]=3` both arrive: the flat value stays readable.
    assert_eq!(p.list_id(), Some(ListId(3)));
    let u = p.unsubscribe().unwrap();
    assert_eq!(u.reason.as_deref(), Some("Too many emails"));
    assert_eq!(u.form_id, None);
    assert_eq!(u.lists, vec![ListId(3)]);
    assert_eq!(p.get("list[0][id]"), Some("3"));
}

#[test]
fn golden_sent_has_no_contact() {
    let p = parse_form(&body(
        "
        type=sent
        date_time=2026-05-28T09:00:00-05:00
        initiated_from=admin
        initiated_by=admin
        list=3
        campaign[id]=12
        campaign[name]=May Newsletter
        campaign[status]=2
        campaign[type]=single
        campaign[recipients]=1520
        campaign[message][id]=17
        campaign[message][subject]=Our May news",
    ))
    .unwrap();
    assert_eq!(p.event_type(), Some(WebhookEvent::Sent));
    assert_eq!(p.initiated_from(), Some(WebhookSource::Admin));
    assert!(p.contact().is_none());
    assert_eq!(p.campaign().unwrap().status.as_deref(), Some("2"));
}

#[test]
fn golden_contact_tag_added() {
    let p = parse_form(&body(
        "
        type=contact_tag_added
        date_time=2024-02-28T07:04:13-06:00
        initiated_from=admin
        initiated_by=admin
        list=0
        contact[id]=3
        contact[email]=code.test@gmail.com
        contact[first_name]=John
        contact[last_name]=Wick
        contact[phone]=
        contact[ip]=0.0.0.0
        contact[tags]=tag1, tag2
        contact[customer_acct_name]=
        contact[orgname]=
        customer_acct_name=
        customer_acct_id=0
        orgname=
        tag=tag2",
    ))
    .unwrap();
    assert_eq!(p.event_type(), Some(WebhookEvent::ContactTagAdded));
    assert_eq!(p.date_time().unwrap().offset().local_minus_utc(), -6 * 3600);
    assert_eq!(p.list_id(), None);
    assert_eq!(p.tag(), Some("tag2"));
    let c = p.contact().unwrap();
    assert_eq!(c.id, Some(ContactId(3)));
    assert_eq!(c.last_name.as_deref(), Some("Wick"));
    assert_eq!(c.tags, vec!["tag1", "tag2"]);
    let removed = parse_form(&body("type=contact_tag_removed\ncontact[id]=3\ntag=tag1")).unwrap();
    assert_eq!(removed.event_type(), Some(WebhookEvent::ContactTagRemoved));
    assert_eq!(removed.tag(), Some("tag1"));
}

#[test]
fn golden_update_subscribe_with_fields_and_ip4() {
    for (t, want) in [
        ("update", WebhookEvent::Update),
        ("subscribe", WebhookEvent::Subscribe),
    ] {
        let p = parse_form(&body(&format!(
            "type={t}\ncontact[id]=9\ncontact[email]=a@b.co\ncontact[ip4]=198.51.100.2\n\
             contact[fields][utm_source]=newsletter\ncontact[fields][favourite_colour]=||Blue||Red||\n\
             contact[fields][5]=x"
        )))
        .unwrap();
        assert_eq!(p.event_type(), Some(want));
        let c = p.contact().unwrap();
        assert_eq!(c.ip.as_deref(), Some("198.51.100.2"));
        assert_eq!(c.fields.len(), 3);
        assert_eq!(c.fields["favourite_colour"], "||Blue||Red||");
        assert_eq!(c.fields["5"], "x");
    }
}

#[test]
fn golden_deal_update() {
    let p = parse_form(&body(
        "
        type=deal_update
        date_time=2024-02-28T07:16:48-06:00
        initiated_from=admin
        initiated_by=admin
        list=0
        deal[id]=7
        deal[title]=Big deal
        deal[create_date]=2024-02-27 10:00:00
        deal[create_date_iso]=2024-02-27T10:00:00-06:00
        deal[orgid]=0
        deal[orgname]=
        deal[stageid]=1
        deal[stage_title]=To Contact
        deal[pipelineid]=1
        deal[pipeline_title]=Sales
        deal[value]=1,044,055.00
        deal[value_raw]=1044055
        deal[currency]=usd
        deal[currency_symbol]=$
        deal[owner]=1
        deal[owner_firstname]=Ann
        deal[owner_lastname]=Owner
        deal[contactid]=3
        deal[contact_email]=code.test@gmail.com
        deal[contact_firstname]=John
        deal[contact_lastname]=Wick
        deal[status]=0
        deal[fields][0][id]=1
        deal[fields][0][key]=Deal size
        deal[fields][0][value]=L
        deal[fields][1][id]=2
        deal[fields][1][key]=Region
        deal[fields][1][value]=EU
        updated_fields[]=value
        updated_fields[]=stage",
    ))
    .unwrap();
    assert_eq!(p.event_type(), Some(WebhookEvent::DealUpdate));
    let d = p.deal().unwrap();
    assert_eq!(d.id, Some(DealId(7)));
    assert_eq!(d.title.as_deref(), Some("Big deal"));
    assert_eq!(
        d.create_date.unwrap().to_rfc3339(),
        "2024-02-27T10:00:00-06:00"
    );
    assert_eq!(d.value.as_deref(), Some("1,044,055.00"));
    assert_eq!(d.value_raw, Some(1_044_055));
    assert_eq!(d.value_cents(), Some(104_405_500));
    assert_eq!(d.currency_symbol.as_deref(), Some("$"));
    assert_eq!(d.contact_id, Some(ContactId(3)));
    assert_eq!(d.pipeline_title.as_deref(), Some("Sales"));
    assert_eq!(d.fields.len(), 2);
    assert_eq!(d.fields[1].key.as_deref(), Some("Region"));
    assert_eq!(d.fields[1].value.as_deref(), Some("EU"));
    assert_eq!(p.updated_fields(), vec!["value", "stage"]);
    assert_eq!(p.get_all("updated_fields[]"), vec!["value", "stage"]);
    for t in [
        "deal_add",
        "deal_note_add",
        "deal_task_add",
        "deal_stage_add",
    ] {
        let p = parse_form(&body(&format!("type={t}\ndeal[id]=1"))).unwrap();
        assert!(
            !matches!(p.event_type(), Some(WebhookEvent::Other(_))),
            "{t}"
        );
        assert_eq!(p.deal().unwrap().id, Some(DealId(1)));
    }
}

#[test]
fn golden_forward_share_reply_list_add() {
    let p = parse_form(&body("type=forward\nforward[count]=2\ncontact[id]=1")).unwrap();
    assert_eq!(p.event_type(), Some(WebhookEvent::Forward));
    assert_eq!(p.get("forward[count]"), Some("2"));
    let p = parse_form(&body(
        "type=share\nshare[network]=twitter\nshare[content]=hi",
    ))
    .unwrap();
    assert_eq!(p.event_type(), Some(WebhookEvent::Share));
    assert_eq!(
        p.tree().get("share").unwrap().text("network"),
        Some("twitter")
    );
    let p = parse_form(&body("type=reply\nresult=ok\nmessage=Thanks")).unwrap();
    assert_eq!(p.event_type(), Some(WebhookEvent::Reply));
    assert_eq!(p.get("message"), Some("Thanks"));
    let p = parse_form(&body(
        "type=list_add\nlist[id]=8\nlist[name]=Customers\nlist[sender_url]=https://x.co",
    ))
    .unwrap();
    assert_eq!(p.event_type(), Some(WebhookEvent::ListAdd));
    let l = p.list_added().unwrap();
    assert_eq!(l.id, Some(ListId(8)));
    assert_eq!(l.name.as_deref(), Some("Customers"));
    assert_eq!(l.fields["sender_url"], "https://x.co");
}

#[test]
fn unknown_types_are_kept_with_raw_fields() {
    let p = parse_form(b"type=sms_whatever&foo%5Bbar%5D=1&seriesid=5").unwrap();
    assert_eq!(
        p.event_type(),
        Some(WebhookEvent::Other("sms_whatever".into()))
    );
    assert_eq!(p.get("foo[bar]"), Some("1"));
    assert_eq!(p.tree().get("foo").unwrap().text("bar"), Some("1"));
    assert_eq!(p.automation_id(), Some(crate::AutomationId(5)));
    let empty = parse_form(b"").unwrap();
    assert_eq!(empty.event_type(), None);
    assert!(empty.contact().is_none());
}

#[test]
fn key_splitting_follows_php() {
    assert_eq!(split_key("a"), vec!["a"]);
    assert_eq!(split_key("a[b][c]"), vec!["a", "b", "c"]);
    assert_eq!(split_key("a[]"), vec!["a", ""]);
    assert_eq!(split_key("a[b"), vec!["a[b"]);
    assert_eq!(split_key("[b]"), vec!["[b]"]);
    assert_eq!(split_key("a[b]x"), vec!["a[b]x"]);
    let deep = format!("a{}", "[x]".repeat(100));
    assert_eq!(split_key(&deep), vec![deep.as_str()]);
    // A scalar later replaced by a group, and the reverse.
    let p = WebhookPayload::from_pairs(vec![
        ("a".into(), "1".into()),
        ("a[b]".into(), "2".into()),
        ("c[d]".into(), "3".into()),
        ("c".into(), "4".into()),
    ]);
    assert_eq!(p.tree().get("a").unwrap().text("b"), Some("2"));
    assert_eq!(p.tree().text("c"), Some("4"));
}

fn exercise(p: &WebhookPayload) {
    let _ = (
        p.event_type(),
        p.date_time(),
        p.initiated_from(),
        p.initiated_by(),
        p.list_id(),
        p.tag(),
        p.updated_fields(),
        p.contact(),
        p.campaign(),
        p.link(),
        p.bounce(),
        p.unsubscribe(),
        p.list_added(),
        p.deal(),
        p.user_agent(),
        p.automation_id(),
    );
}

proptest! {
    #[test]
    fn parsing_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(p) = parse_form(&bytes) {
            exercise(&p);
        }
    }

    #[test]
    fn parsing_never_panics_on_bracket_soup(
        pairs in proptest::collection::vec(
            ("(type|contact|deal|list|campaign|updated_fields|link|bounce|unsubscribe|form)?[\\[\\]a-z0-9_ ]{0,12}",
             "[ -~]{0,16}"),
            0..24,
        )
    ) {
        let body = serde_urlencoded::to_string(&pairs).unwrap();
        let p = parse_form(body.as_bytes()).unwrap();
        prop_assert_eq!(p.pairs().len(), pairs.len());
        exercise(&p);
    }
}

#[test]
fn deal_amounts_read_in_cents_from_the_formatted_value_or_the_raw_units() {
    let block = |value: Option<&str>, raw: Option<i64>| DealBlock {
        value: value.map(str::to_owned),
        value_raw: raw,
        ..DealBlock::default()
    };
    assert_eq!(block(Some("10.50"), None).value_cents(), Some(1_050));
    assert_eq!(block(Some("0.5"), None).value_cents(), Some(50));
    assert_eq!(block(Some("1,000"), None).value_cents(), Some(100_000));
    assert_eq!(block(Some("-3.25"), None).value_cents(), Some(-325));
    assert_eq!(block(Some("n/a"), Some(12)).value_cents(), Some(1_200));
    assert_eq!(block(Some("1.234"), None).value_cents(), None);
    assert_eq!(block(None, None).value_cents(), None);
}
