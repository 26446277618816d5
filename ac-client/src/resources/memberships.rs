//! A contact's tags and lists with their names, in as few requests as AC allows:
//! [`Contacts::tags_and_lists`].
//!
//! AC side-loads the association rows (`include=contactTags,contactLists` on `GET /contacts`)
//! but not the tags and lists they point at, and neither `/tags` nor `/lists` filters by id.
//! So the names come from paging the account's tags and lists (100 per request), and once the
//! pages left outnumber the names still missing, from one `GET /tags/{id}` (`/lists/{id}`)
//! per missing name instead: whichever takes fewer requests.

use std::collections::HashMap;
use std::future::Future;

use serde::Deserialize;

use crate::error::Result;
use crate::http::ApiRequest;
use crate::ids::ContactId;
use crate::page::{Identified, Page};
use crate::resources::contacts::Contacts;
use crate::resources::lists::{self, ContactList, List, ListQuery};
use crate::resources::tags::{self, ContactTag, Tag, TagQuery};

/// A tag on a contact: the association and the tag it names.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedTag {
    /// The contact ↔ tag association (its id is what removing the tag takes).
    pub association: ContactTag,
    /// The tag, with its name.
    pub tag: Tag,
}

/// A list membership of a contact: the membership row and the list it names.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedList {
    /// The membership row (status, ...).
    pub membership: ContactList,
    /// The list, with its name.
    pub list: List,
}

/// What [`Contacts::tags_and_lists`] returns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ContactMemberships {
    /// The contact's tags, in association order.
    pub tags: Vec<NamedTag>,
    /// The contact's list memberships, in membership order.
    pub lists: Vec<NamedList>,
}

impl ContactMemberships {
    /// The tag names.
    pub fn tag_names(&self) -> Vec<&str> {
        self.tags.iter().map(|t| t.tag.name.as_str()).collect()
    }

    /// The list names.
    pub fn list_names(&self) -> Vec<&str> {
        self.lists.iter().map(|l| l.list.name.as_str()).collect()
    }
}

#[derive(Deserialize)]
struct SideLoaded {
    #[serde(rename = "contactTags", default)]
    contact_tags: Vec<ContactTag>,
    #[serde(rename = "contactLists", default)]
    contact_lists: Vec<ContactList>,
}

#[derive(Deserialize)]
struct TagEnvelope {
    tag: Tag,
}

#[derive(Deserialize)]
struct ListEnvelope {
    list: List,
}

const PAGE: u32 = 100;

impl Contacts<'_> {
    /// A contact's tags and lists with their names. One request side-loads the associations
    /// (`GET /contacts?ids[]={id}&include=contactTags,contactLists`); the names then take
    /// the fewest requests of paging `/tags` and `/lists` or reading the missing ones by id
    /// (see the [module](self) notes). A tag or list deleted meanwhile is left out.
    ///
    /// ```no_run
    /// # async fn run(client: ac_client::Client) -> ac_client::Result<()> {
    /// let m = client.contacts().tags_and_lists(42).await?;
    /// println!("tags {:?}, lists {:?}", m.tag_names(), m.list_names());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn tags_and_lists(&self, id: impl Into<ContactId>) -> Result<ContactMemberships> {
        let id: ContactId = id.into();
        let client = self.client;
        let req = ApiRequest::get("contacts").query(vec![
            ("ids[]".to_owned(), id.to_string()),
            ("include".to_owned(), "contactTags,contactLists".to_owned()),
        ]);
        let loaded: SideLoaded = client.send(req).await?;
        let contact_tags: Vec<ContactTag> = loaded
            .contact_tags
            .into_iter()
            .filter(|t| t.contact == id)
            .collect();
        let contact_lists: Vec<ContactList> = loaded
            .contact_lists
            .into_iter()
            .filter(|l| l.contact == id)
            .collect();

        let tag_ids: Vec<u64> = contact_tags.iter().map(|t| t.tag.get()).collect();
        let mut tags_by_id = names_by_id(
            &tag_ids,
            |offset| async move {
                tags::list_page(client, &TagQuery::new().limit(PAGE).offset(offset)).await
            },
            |id| async move {
                let env: TagEnvelope = client.send(ApiRequest::get(format!("tags/{id}"))).await?;
                Ok(env.tag)
            },
        )
        .await?;
        let list_ids: Vec<u64> = contact_lists.iter().map(|l| l.list.get()).collect();
        let mut lists_by_id = names_by_id(
            &list_ids,
            |offset| async move {
                lists::list_page(client, &ListQuery::new().limit(PAGE).offset(offset)).await
            },
            |id| async move {
                let env: ListEnvelope = client.send(ApiRequest::get(format!("lists/{id}"))).await?;
                Ok(env.list)
            },
        )
        .await?;
        Ok(ContactMemberships {
            tags: contact_tags
                .into_iter()
                .filter_map(|association| {
                    let tag = tags_by_id.remove(&association.tag.get())?;
                    Some(NamedTag { association, tag })
                })
                .collect(),
            lists: contact_lists
                .into_iter()
                .filter_map(|membership| {
                    let list = lists_by_id.remove(&membership.list.get())?;
                    Some(NamedList { membership, list })
                })
                .collect(),
        })
    }
}

/// The items with the `wanted` ids: pages (`page(offset)`) while the pages left are fewer than
/// the ids still missing, then one `one(id)` per missing id (not-found ones left out).
async fn names_by_id<T, P, PF, O, OF>(wanted: &[u64], page: P, one: O) -> Result<HashMap<u64, T>>
where
    T: Identified,
    P: Fn(u64) -> PF,
    PF: Future<Output = Result<Page<T>>>,
    O: Fn(u64) -> OF,
    OF: Future<Output = Result<T>>,
{
    let mut missing: Vec<u64> = wanted.to_vec();
    missing.sort_unstable();
    missing.dedup();
    let mut found = HashMap::new();
    // One page costs one request, as one name by id does: page only for two names or more,
    // and go on while the pages left are fewer than the names still missing.
    if missing.len() > 1 {
        let mut offset = 0u64;
        loop {
            let p = page(offset).await?;
            offset += p.items.len() as u64;
            let short = p.items.len() < PAGE as usize;
            for item in p.items {
                let id = item.id_value();
                if let Ok(i) = missing.binary_search(&id) {
                    missing.remove(i);
                    found.insert(id, item);
                }
            }
            let pages_left = if short {
                0
            } else {
                p.total.saturating_sub(offset).div_ceil(u64::from(PAGE))
            };
            if pages_left == 0 {
                // Everything was seen: whatever is still missing no longer exists.
                missing.clear();
            }
            if missing.is_empty() || pages_left >= missing.len() as u64 {
                break;
            }
        }
    }
    for id in missing {
        match one(id).await {
            Ok(item) => {
                found.insert(id, item);
            }
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(found)
}
