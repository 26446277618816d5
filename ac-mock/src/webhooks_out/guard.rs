//! Refusing URLs that lead back to the mock itself. A webhook or a bulk import callback pointing
//! at `http://127.0.0.1:<the mock's port>/__admin/reset` would let one account wipe every other
//! account's data, so such URLs are refused when a webhook is created or updated, when an import
//! names its callback, and again at delivery time (a DNS name may resolve differently by then).
//!
//! "The mock's listener" is its port plus an address that reaches it: any loopback or
//! unspecified address, the address it listens on, and, when it listens on `0.0.0.0` or `::`,
//! every address of this machine. `localhost` (and `*.localhost`) is loopback without asking
//! DNS; the base URL's host is the mock by definition. Other names are resolved: at creation
//! time with a short deadline (a name that does not resolve is accepted, AC does not ping URLs
//! at creation), and at delivery time by the resolver of the client that sends to the mock's
//! port, which leaves out the mock's addresses, so no later lookup can slip past the check.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use url::{Host, Url};

/// How long a creation-time check waits for DNS before accepting a URL.
const CREATE_LOOKUP_DEADLINE: Duration = Duration::from_secs(1);

/// Where the mock listens, as far as "is this URL the mock?" needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Listener {
    /// The port the mock answers on (from the base URL, so port 0 was already resolved).
    port: u16,
    /// The address it listens on (unspecified when it listens on every interface).
    ip: IpAddr,
    /// The base URL's host, lower-cased.
    host: String,
}

/// What the delivery path must do with a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Another port, or an address that is not the mock's: send as usual.
    Free,
    /// The mock's port on a host name: send with the client whose resolver leaves out the
    /// mock's addresses.
    Guarded,
    /// The mock itself: do not send; the text says why.
    Refused(String),
}

/// The error the guarded resolver gives when a name resolves only to the mock's addresses.
#[derive(Debug, Clone)]
pub(crate) struct SelfTarget(pub(crate) String);

impl std::fmt::Display for SelfTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SelfTarget {}

/// IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`) reach the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

/// Whether `ip` is assigned to this machine: only a local address can be bound.
fn is_local(ip: IpAddr) -> bool {
    std::net::UdpSocket::bind(SocketAddr::new(ip, 0)).is_ok()
}

fn refusal(url: &str, via: &str, me: &Listener) -> String {
    format!(
        "The url \"{url}\" points at this mock's own listener ({via}, port {}); \
         the mock does not send webhooks or callbacks to itself, since a request there could \
         reset or change any account's data.",
        me.port
    )
}

impl Listener {
    /// The listener of a mock with this base URL and listen address: the base URL's port and
    /// host, the listen address.
    pub(crate) fn of(base_url: &str, listen: SocketAddr) -> Option<Listener> {
        let base = Url::parse(base_url).ok()?;
        Some(Listener {
            port: base.port_or_known_default()?,
            ip: canonical(listen.ip()),
            host: base.host_str()?.trim_end_matches('.').to_ascii_lowercase(),
        })
    }

    /// A mock listening on exactly `addr` (unit tests).
    #[cfg(test)]
    pub(crate) fn for_tests(addr: SocketAddr) -> Listener {
        Listener {
            port: addr.port(),
            ip: canonical(addr.ip()),
            host: addr.ip().to_string(),
        }
    }

    /// Whether a connection to `ip` on the mock's port could reach the mock. Loopback counts
    /// whenever the mock listens on loopback or everywhere (`[::1]` and `127.0.0.1` are the
    /// same machine; refusing a receiver that shares the mock's port there costs nothing).
    pub(crate) fn is_self_ip(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        if ip.is_unspecified() || ip == self.ip {
            return true;
        }
        if self.ip.is_unspecified() {
            ip.is_loopback() || is_local(ip)
        } else {
            self.ip.is_loopback() && ip.is_loopback()
        }
    }

    /// The check that needs no DNS. A host name on the mock's port that is neither
    /// `localhost` nor the base URL's host is [`Verdict::Guarded`].
    pub(crate) fn verdict(&self, url: &str) -> Verdict {
        let Ok(parsed) = Url::parse(url.trim()) else {
            return Verdict::Free; // not a URL: the request fails on its own
        };
        if parsed.port_or_known_default() != Some(self.port) {
            return Verdict::Free;
        }
        let ip = match parsed.host() {
            None => return Verdict::Free,
            Some(Host::Ipv4(v4)) => IpAddr::V4(v4),
            Some(Host::Ipv6(v6)) => IpAddr::V6(v6),
            Some(Host::Domain(name)) => {
                let name = name.trim_end_matches('.').to_ascii_lowercase();
                if name == self.host {
                    return Verdict::Refused(refusal(url, "the mock's base URL host", self));
                }
                if name == "localhost" || name.ends_with(".localhost") {
                    IpAddr::from([127, 0, 0, 1])
                } else {
                    return Verdict::Guarded;
                }
            }
        };
        if self.is_self_ip(ip) {
            Verdict::Refused(refusal(url, &format!("address {ip}"), self))
        } else {
            Verdict::Free
        }
    }
}

/// Why `url` may not be used as a webhook or callback URL of the mock with this base URL and
/// listen address, if it may not. Host names on the mock's port are resolved, waiting at most a
/// second.
pub(crate) async fn refuse(base_url: &str, listen: SocketAddr, url: &str) -> Option<String> {
    let me = Listener::of(base_url, listen)?;
    match me.verdict(url) {
        Verdict::Free => None,
        Verdict::Refused(why) => Some(why),
        Verdict::Guarded => {
            let parsed = Url::parse(url.trim()).ok()?;
            let host = parsed.host_str()?.to_string();
            let lookup = tokio::net::lookup_host((host.as_str(), me.port));
            let addrs = tokio::time::timeout(CREATE_LOOKUP_DEADLINE, lookup)
                .await
                .ok()?
                .ok()?;
            for addr in addrs {
                if me.is_self_ip(addr.ip()) {
                    let via = format!("{host} resolves to {}", addr.ip());
                    return Some(refusal(url, &via, &me));
                }
            }
            None
        }
    }
}

/// The resolver of the client that sends to the mock's port: it resolves as the system does,
/// then leaves out the addresses that reach the mock, and fails with [`SelfTarget`] when none
/// is left. (Only that client uses it, so a name on another port is never filtered.)
#[derive(Debug)]
pub(crate) struct GuardedResolver {
    pub(crate) me: Listener,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let me = self.me.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let kept: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|a| !me.is_self_ip(a.ip()))
                .collect();
            if kept.is_empty() && !found.is_empty() {
                let why = format!(
                    "refused: {host} resolves to {}, this mock's own listener (port {}); \
                     the mock does not send webhooks or callbacks to itself",
                    found[0].ip(),
                    me.port
                );
                return Err(Box::new(SelfTarget(why)) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(kept.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The resolver as reqwest takes it.
pub(crate) fn resolver(me: Listener) -> Arc<GuardedResolver> {
    Arc::new(GuardedResolver { me })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn me(ip: [u8; 4]) -> Listener {
        Listener {
            port: 4010,
            ip: IpAddr::from(ip),
            host: "127.0.0.1".into(),
        }
    }

    #[test]
    fn the_mocks_port_on_loopback_unspecified_or_its_host_is_refused() {
        let m = me([127, 0, 0, 1]);
        for url in [
            "http://127.0.0.1:4010/__admin/reset",
            "http://localhost:4010/x",
            "http://LOCALHOST.:4010/x",
            "http://app.localhost:4010/x",
            "http://[::1]:4010/x",
            "http://0.0.0.0:4010/x",
            "http://[::ffff:127.0.0.1]:4010/x",
            "http://127.0.0.2:4010/x",
        ] {
            assert!(matches!(m.verdict(url), Verdict::Refused(_)), "{url}");
        }
    }

    #[test]
    fn another_port_or_a_remote_address_is_free_and_names_are_guarded() {
        let m = me([127, 0, 0, 1]);
        assert_eq!(m.verdict("http://127.0.0.1:4011/hook"), Verdict::Free);
        assert_eq!(m.verdict("http://localhost/hook"), Verdict::Free);
        assert_eq!(m.verdict("http://198.51.100.7:4010/hook"), Verdict::Free);
        assert_eq!(m.verdict("http://hooks.example:4010/x"), Verdict::Guarded);
        assert_eq!(m.verdict("https://hooks.example/x"), Verdict::Free);
    }

    #[test]
    fn the_default_port_counts_and_a_specific_listen_address_is_matched() {
        let mut m = me([192, 0, 2, 1]);
        m.port = 80;
        m.host = "192.0.2.1".into();
        assert!(matches!(
            m.verdict("http://192.0.2.1/x"),
            Verdict::Refused(_)
        ));
        // Loopback does not reach a mock that listens on one external address only.
        assert_eq!(m.verdict("http://127.0.0.1/x"), Verdict::Free);
        assert!(matches!(m.verdict("http://0.0.0.0/x"), Verdict::Refused(_)));
    }

    #[test]
    fn listening_everywhere_counts_loopback_and_this_machines_addresses() {
        let m = Listener {
            port: 4010,
            ip: IpAddr::from([0, 0, 0, 0]),
            host: "127.0.0.1".into(),
        };
        assert!(m.is_self_ip(IpAddr::from([127, 0, 0, 1])));
        assert!(m.is_self_ip(IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1])));
        // TEST-NET-2 is nobody's address.
        assert!(!m.is_self_ip(IpAddr::from([198, 51, 100, 7])));
    }
}
