//! Filters at scale, over raw HTTP: 20,000 contacts imported in bulk (with tags, list
//! memberships and field values), then every indexed filter and order of `GET /contacts`, the
//! tag and list counts and the per-contact lookups checked against a model of what was
//! written; again after deletes, untags, unsubscribes, tag and list deletes and a re-import
//! (the indexes follow every write), and after a state export and import (they are rebuilt).
//! No timing here: `cargo bench -p ac-mock --bench load -- --filters` times the same filters.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::common::Mock;
use ac_mock::MockServer;
use serde_json::{json, Value};

const N: u64 = 20_000;
const FIRST: [&str; 8] = ["Ann", "Bob", "Chloé", "Dan", "Eve", "Finn", "Gus", "Hana"];
const LAST: [&str; 6] = ["Smith", "Jones", "O'Neil", "Müller", "Ng", "Brown"];

/// What the test wrote, per contact id.
#[derive(Debug, Clone, Default)]
struct Person {
    email: String,
    first: String,
    last: String,
    phone: String,
    tags: BTreeSet<String>,
    /// List id → membership status.
    lists: BTreeMap<u64, u8>,
}

#[derive(Debug, Default)]
struct Model {
    people: BTreeMap<u64, Person>,
    /// Lower-cased email → id.
    by_email: HashMap<String, u64>,
    next_id: u64,
}

impl Model {
    /// Contact ids in id order for which `keep` holds.
    fn ids(&self, keep: impl Fn(&Person) -> bool) -> Vec<u64> {
        let rows = self.people.iter().filter(|(_, p)| keep(p));
        rows.map(|(id, _)| *id).collect()
    }

    fn remove(&mut self, id: u64) {
        let p = self.people.remove(&id).unwrap();
        self.by_email.remove(&p.email.to_ascii_lowercase());
    }

    fn set_email(&mut self, id: u64, email: &str) {
        let p = self.people.get_mut(&id).unwrap();
        self.by_email.remove(&p.email.to_ascii_lowercase());
        p.email = email.to_string();
        self.by_email.insert(email.to_ascii_lowercase(), id);
    }

    /// What `bulk_import` does with one contact: upsert by email, add tags, subscribe unless
    /// unsubscribed, then unsubscribe.
    fn import(&mut self, c: &Value) {
        let email = c["email"].as_str().unwrap();
        let known = self.by_email.get(&email.to_ascii_lowercase()).copied();
        let id = known.unwrap_or_else(|| {
            self.next_id += 1;
            self.by_email
                .insert(email.to_ascii_lowercase(), self.next_id);
            self.people.insert(
                self.next_id,
                Person {
                    email: email.to_string(),
                    ..Person::default()
                },
            );
            self.next_id
        });
        let p = self.people.get_mut(&id).unwrap();
        for (key, slot) in [
            ("first_name", &mut p.first),
            ("last_name", &mut p.last),
            ("phone", &mut p.phone),
        ] {
            if let Some(v) = c[key].as_str() {
                *slot = v.to_string();
            }
        }
        for t in c["tags"].as_array().into_iter().flatten() {
            p.tags.insert(t.as_str().unwrap().to_string());
        }
        for s in c["subscribe"].as_array().into_iter().flatten() {
            let list = s["listid"].as_u64().unwrap();
            if p.lists.get(&list) != Some(&2) {
                p.lists.insert(list, 1);
            }
        }
        for s in c["unsubscribe"].as_array().into_iter().flatten() {
            p.lists.insert(s["listid"].as_u64().unwrap(), 2);
        }
    }
}

/// The bulk import contact number `i`.
fn person(i: u64, field: u64) -> Value {
    let mut tags = vec![format!("t{}", i % 10), format!("cohort-{}", i / 1000)];
    if i.is_multiple_of(3) {
        tags.push("vip".into());
    }
    let mut subscribe = vec![json!({"listid": i % 5 + 1})];
    if i.is_multiple_of(4) {
        subscribe.push(json!({"listid": 1}));
    }
    let unsubscribe: Vec<Value> = if i.is_multiple_of(9) {
        vec![json!({"listid": 2})]
    } else {
        Vec::new()
    };
    let plan = ["free", "pro", "team"][(i % 3) as usize];
    json!({
        "email": format!("user{i:06}@ex{}.com", i % 20),
        "first_name": FIRST[(i % 8) as usize],
        "last_name": LAST[((i / 7) % 6) as usize],
        "phone": format!("+1-555-{i:07}"),
        "tags": tags,
        "fields": [{"id": field, "value": plan}],
        "subscribe": subscribe,
        "unsubscribe": unsubscribe,
    })
}

async fn import(m: &Mock, model: &mut Model, contacts: Vec<Value>) {
    for c in &contacts {
        model.import(c);
    }
    let (status, body) = m
        .post("/import/bulk_import", json!({"contacts": contacts}))
        .await;
    assert_eq!(status, 200, "{body}");
}

fn total(body: &Value) -> u64 {
    match &body["meta"]["total"] {
        Value::String(s) => s.parse().unwrap(),
        other => other.as_u64().unwrap(),
    }
}

fn id(v: &Value) -> u64 {
    match v {
        Value::String(s) => s.parse().unwrap(),
        other => other.as_u64().unwrap(),
    }
}

fn ids(body: &Value) -> Vec<u64> {
    body["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| id(&c["id"]))
        .collect()
}

async fn get_ok(m: &Mock, path: &str) -> Value {
    let (status, body) = m.get(path).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

/// Every contact matching `query`, paged with `id_greater` as AC advises; checks that
/// `meta.total` of every page counts what is left.
async fn all_ids(m: &Mock, query: &str) -> Vec<u64> {
    let mut out: Vec<u64> = Vec::new();
    let mut first_total = None;
    loop {
        let last = out.last().copied().unwrap_or(0);
        let path = format!("/contacts?{query}&orders[id]=ASC&id_greater={last}&limit=100");
        let body = get_ok(m, &path).await;
        let page = ids(&body);
        first_total.get_or_insert(total(&body));
        if page.is_empty() {
            break;
        }
        assert_eq!(
            total(&body),
            first_total.unwrap() - out.len() as u64,
            "{path}"
        );
        out.extend(page);
    }
    out
}

/// The tag id of each name the model uses.
async fn tag_ids(m: &Mock) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    let mut offset = 0;
    loop {
        let body = get_ok(m, &format!("/tags?limit=100&offset={offset}")).await;
        let tags = body["tags"].as_array().unwrap();
        if tags.is_empty() {
            return out;
        }
        for t in tags {
            out.insert(t["tag"].as_str().unwrap().to_string(), id(&t["id"]));
        }
        offset += 100;
    }
}

fn lower_contains(hay: &str, needle: &str) -> bool {
    hay.to_lowercase().contains(&needle.to_lowercase())
}

/// Checks every filter, order, count and per-contact lookup of `m` against the model.
async fn check(m: &Mock, model: &Model, when: &str) {
    let tags = tag_ids(m).await;
    let tag = |name: &str| tags[name];
    let has_tag = |name: &'static str| move |p: &Person| p.tags.contains(name);

    // Whole result sets, page by page.
    let vip = model.ids(has_tag("vip"));
    assert_eq!(
        all_ids(m, &format!("tagid={}", tag("vip"))).await,
        vip,
        "{when}: tagid vip"
    );
    let unsub = model.ids(|p| p.lists.contains_key(&2) && p.lists.values().any(|s| *s == 2));
    assert_eq!(
        all_ids(m, "listid=2&status=2").await,
        unsub,
        "{when}: listid+status"
    );
    let combo = model.ids(|p| {
        p.tags.contains("vip") && p.lists.contains_key(&1) && p.lists.values().any(|s| *s == 1)
    });
    let q = format!("tagid={}&listid=1&status=1", tag("vip"));
    assert_eq!(all_ids(m, &q).await, combo, "{when}: tagid+listid+status");

    // Totals and one page, for the other filters.
    let t3 = model.ids(has_tag("t3"));
    let cohort = model.ids(has_tag("cohort-7"));
    let list3 = model.ids(|p| p.lists.contains_key(&3));
    let list4 = model.ids(|p| p.lists.contains_key(&4));
    let active = model.ids(|p| p.lists.values().any(|s| *s == 1));
    let oneil = model.ids(|p| {
        let full = format!("{} {}", p.first, p.last);
        [&full, &p.email, &p.phone]
            .iter()
            .any(|v| lower_contains(v, "o'neil"))
    });
    let like = model.ids(|p| lower_contains(&p.email, "ER0004"));
    let phone = model.ids(|p| p.phone.starts_with("+1-555-00012"));
    let tail: Vec<u64> = model
        .ids(|_| true)
        .into_iter()
        .rev()
        .take(50)
        .rev()
        .collect();
    let after = tail[0] - 1;
    let cases: Vec<(String, Vec<u64>, usize)> = vec![
        (format!("tagid={}", tag("t3")), t3, 0),
        (format!("tagid={}&limit=100", tag("cohort-7")), cohort, 0),
        ("listid=3&limit=100&offset=1000".into(), list3, 1000),
        ("listid=4".into(), list4, 0),
        ("status=1&limit=100&offset=7000".into(), active, 7000),
        ("search=o%27NEIL&limit=100&offset=200".into(), oneil, 200),
        ("email_like=ER0004&limit=100".into(), like, 0),
        ("phone=%2B1-555-00012&limit=100".into(), phone, 0),
        (format!("id_greater={after}&limit=100"), tail, 0),
    ];
    for (query, want, offset) in cases {
        let body = get_ok(m, &format!("/contacts?{query}")).await;
        assert_eq!(total(&body), want.len() as u64, "{when}: {query}");
        let limit = if query.contains("limit=100") { 100 } else { 20 };
        let page: Vec<u64> = want.into_iter().skip(offset).take(limit).collect();
        assert_eq!(ids(&body), page, "{when}: {query}");
    }

    // Orders: over a filtered set and over every contact.
    let mut by_email: Vec<(String, u64)> = model
        .ids(has_tag("t3"))
        .into_iter()
        .map(|id| (model.people[&id].email.to_lowercase(), id))
        .collect();
    by_email.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let want: Vec<u64> = by_email.iter().skip(100).take(100).map(|r| r.1).collect();
    let q = format!(
        "/contacts?tagid={}&orders[email]=DESC&offset=100&limit=100",
        tag("t3")
    );
    assert_eq!(ids(&get_ok(m, &q).await), want, "{when}: {q}");
    let mut by_name: Vec<(String, u64)> = model
        .people
        .iter()
        .map(|(id, p)| (p.first.to_lowercase(), *id))
        .collect();
    by_name.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let want: Vec<u64> = by_name.iter().skip(5000).take(100).map(|r| r.1).collect();
    let q = "/contacts?orders[first_name]=ASC&orders[id]=DESC&offset=5000&limit=100";
    assert_eq!(ids(&get_ok(m, q).await), want, "{when}: {q}");

    // Exact email, case-insensitively.
    let (i, p) = model.people.iter().nth(12_345).unwrap();
    let q = format!("/contacts?email={}", p.email.to_uppercase());
    assert_eq!(ids(&get_ok(m, &q).await), vec![*i], "{when}: {q}");

    // Counts of tags and lists.
    for name in ["vip", "t3", "cohort-7"] {
        let body = get_ok(m, &format!("/tags/{}", tag(name))).await;
        let want = model.ids(|p| p.tags.contains(name)).len().to_string();
        assert_eq!(body["tag"]["subscriber_count"], want, "{when}: tag {name}");
    }
    let body = get_ok(m, "/tags?search=cohort-1&limit=100").await;
    let names: BTreeSet<&str> = tags.keys().map(String::as_str).collect();
    let want = names.iter().filter(|n| n.contains("cohort-1")).count();
    assert_eq!(total(&body), want as u64, "{when}: tags search");
    for t in body["tags"].as_array().unwrap() {
        let name = t["tag"].as_str().unwrap();
        let n = model.ids(|p| p.tags.contains(name)).len().to_string();
        assert_eq!(t["subscriber_count"], n, "{when}: tag {name}");
    }
    let body = get_ok(m, "/lists?limit=100").await;
    for l in body["lists"].as_array().unwrap() {
        let list = id(&l["id"]);
        let all = model.ids(|p| p.lists.contains_key(&list)).len();
        let on = model.ids(|p| p.lists.get(&list) == Some(&1)).len();
        assert_eq!(
            l["non_deleted_subscribers"],
            all.to_string(),
            "{when}: list {list}"
        );
        assert_eq!(
            l["active_subscribers"],
            on.to_string(),
            "{when}: list {list}"
        );
    }

    // A contact's own rows.
    for (i, p) in model.people.iter().step_by(997) {
        let body = get_ok(m, &format!("/contacts/{i}/contactTags")).await;
        let got: BTreeSet<u64> = body["contactTags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|ct| id(&ct["tag"]))
            .collect();
        let want: BTreeSet<u64> = p.tags.iter().map(|t| tag(t)).collect();
        assert_eq!(got, want, "{when}: tags of {i}");
        let body = get_ok(m, &format!("/contacts/{i}")).await;
        let got: BTreeMap<u64, u8> = body["contactLists"]
            .as_array()
            .unwrap()
            .iter()
            .map(|cl| (id(&cl["list"]), id(&cl["status"]) as u8))
            .collect();
        assert_eq!(got, p.lists, "{when}: lists of {i}");
        let values = body["fieldValues"].as_array().unwrap().len();
        assert_eq!(values, usize::from(*i <= N), "{when}: field values of {i}");
    }
}

/// The contacts whose id is a multiple of `step` and that still exist.
fn alive(model: &Model, step: u64) -> Vec<u64> {
    let ids = (step..=N).step_by(step as usize);
    ids.filter(|i| model.people.contains_key(i)).collect()
}

/// Finds the contactTag row of (contact, tag) and deletes it.
async fn untag(m: &Mock, contact: u64, tag: u64) {
    let body = get_ok(m, &format!("/contacts/{contact}/contactTags")).await;
    let rows = body["contactTags"].as_array().unwrap();
    let row = rows.iter().find(|ct| id(&ct["tag"]) == tag).unwrap();
    let (status, _) = m.delete(&format!("/contactTags/{}", id(&row["id"]))).await;
    assert_eq!(status, 200);
}

async fn set_list(m: &Mock, model: &mut Model, contact: u64, list: u64, status: u8) {
    let body = json!({"contactList": {"list": list, "contact": contact, "status": status}});
    let (code, body) = m.post("/contactLists", body).await;
    assert_eq!(code, 200, "{body}");
    model
        .people
        .get_mut(&contact)
        .unwrap()
        .lists
        .insert(list, status);
}

#[tokio::test]
async fn every_filter_answers_from_the_indexes_at_20k_contacts() {
    let m = Mock::with(MockServer::builder().bulk_import_limits(false)).await;
    for k in 1..=5 {
        let list = json!({"list": {"name": format!("L{k}"), "stringid": format!("l{k}"),
            "sender_url": "https://example.com", "sender_reminder": "You signed up"}});
        assert_eq!(m.post("/lists", list).await.0, 201);
    }
    let field = json!({"field": {"title": "Plan", "type": "text"}});
    let field = id(&m.post("/fields", field).await.1["field"]["id"]);
    let mut model = Model::default();
    for from in (1..=N).step_by(250) {
        let batch = (from..from + 250).map(|i| person(i, field)).collect();
        import(&m, &mut model, batch).await;
    }
    assert_eq!(model.people.len() as u64, N);
    check(&m, &model, "after import").await;

    // Writes of every kind that the indexes must follow.
    let tags = tag_ids(&m).await;
    for i in (97..=N).step_by(97) {
        assert_eq!(m.delete(&format!("/contacts/{i}")).await.0, 200);
        model.remove(i);
    }
    for i in alive(&model, 93) {
        untag(&m, i, tags["vip"]).await;
        model.people.get_mut(&i).unwrap().tags.remove("vip");
    }
    for i in alive(&model, 53) {
        set_list(&m, &mut model, i, i % 5 + 1, 2).await;
    }
    for i in alive(&model, 83) {
        set_list(&m, &mut model, i, 5, 1).await;
    }
    for i in alive(&model, 89) {
        let body = json!({"contactTag": {"contact": i, "tag": tags["t3"]}});
        assert!(matches!(m.post("/contactTags", body).await.0, 200 | 201));
        model.people.get_mut(&i).unwrap().tags.insert("t3".into());
    }
    assert_eq!(
        m.delete(&format!("/tags/{}", tags["cohort-5"])).await.0,
        200
    );
    assert_eq!(m.delete("/lists/4").await.0, 200);
    for p in model.people.values_mut() {
        p.tags.remove("cohort-5");
        p.lists.remove(&4);
    }
    let renamed = json!({"contact": {"email": "Renamed@Example.com"}});
    assert_eq!(m.put("/contacts/12345", renamed).await.0, 200);
    model.set_email(12_345, "Renamed@Example.com");
    // A re-import of the first 250: existing contacts gain a tag and list 2 (unless they
    // unsubscribed from it); the deleted ones (97, 194) come back under new ids.
    let again: Vec<Value> = (1..=250)
        .map(|i| {
            json!({"email": format!("user{i:06}@ex{}.com", i % 20), "tags": ["again"],
                "subscribe": [{"listid": 2}]})
        })
        .collect();
    import(&m, &mut model, again).await;
    assert_eq!(model.next_id, N + 2);
    check(&m, &model, "after writes").await;

    // The state document round trip: read back into this server and into a fresh one.
    let url = |m: &Mock| format!("{}/__admin/state", m.server.base_url());
    let doc: Value = m
        .http
        .get(url(&m))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let put = m.http.put(url(&m)).json(&doc).send().await.unwrap();
    assert_eq!(put.status(), 200);
    check(&m, &model, "after a state import").await;
    let fresh = Mock::start().await;
    let put = fresh.http.put(url(&fresh)).json(&doc).send().await.unwrap();
    assert_eq!(put.status(), 200);
    check(&fresh, &model, "in a fresh server").await;

    // The rebuilt indexes keep following writes.
    let mut vip = model.ids(|p| p.tags.contains("vip"));
    let first = vip.remove(0);
    assert_eq!(fresh.delete(&format!("/contacts/{first}")).await.0, 200);
    let q = format!("tagid={}", tag_ids(&fresh).await["vip"]);
    assert_eq!(all_ids(&fresh, &q).await, vip);
    let body = get_ok(&fresh, "/contacts?tagid=999999").await;
    assert_eq!(total(&body), 0);
}
