//! Which IP addresses outbound calls may reach.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;

/// Public addresses are allowed; internal ones only when an allowed network contains them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AddressPolicy {
    /// Networks outbound calls may reach even though they are internal (e.g. `127.0.0.0/8` in
    /// tests, or a corporate `10.0.0.0/8` where the SCIM targets live).
    pub allowed_networks: Vec<IpNet>,
}

impl AddressPolicy {
    pub fn allows(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        !is_internal(ip) || self.allowed_networks.iter().any(|net| net.contains(&ip))
    }
}

/// IPv4-mapped and IPv4-compatible IPv6 addresses are judged as the IPv4 address they carry.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_internal_v4(v4),
        IpAddr::V6(v6) => is_internal_v6(v6),
    }
}

fn is_internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT, 100.64.0.0/10
        || (a == 192 && b == 0 && ip.octets().get(2) == Some(&0)) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking, 198.18.0.0/15
        || a >= 240 // reserved
}

fn is_internal_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments().first().copied().unwrap_or_default();
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local, fc00::/7
        || (first & 0xffc0) == 0xfe80 // link local, fe80::/10
        || (first & 0xffc0) == 0xfec0 // site local (deprecated), fec0::/10
        || first == 0x2001 && ip.segments().get(1) == Some(&0x0db8) // documentation
        || first == 0x0064 && ip.segments().get(1) == Some(&0xff9b) // NAT64 to internal v4
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn internal_addresses_are_refused_and_public_ones_allowed() {
        let policy = AddressPolicy::default();
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            assert!(!policy.allows(ip(internal)), "{internal} must be refused");
        }
        for public in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "::ffff:1.1.1.1",
        ] {
            assert!(policy.allows(ip(public)), "{public} must be allowed");
        }
    }

    #[test]
    fn allowed_networks_open_exactly_their_range() {
        let policy = AddressPolicy {
            allowed_networks: vec!["127.0.0.0/8".parse().unwrap()],
        };
        assert!(policy.allows(ip("127.0.0.1")));
        assert!(policy.allows(ip("::ffff:127.0.0.2")));
        assert!(!policy.allows(ip("10.0.0.1")));
        assert!(!policy.allows(ip("::1")));
    }
}
