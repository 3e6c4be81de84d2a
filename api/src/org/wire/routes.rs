//! REST (grpc-gateway) and Connect mappings of `zitadel.org.v2.OrganizationService`.

/// Full proto name of the service; Connect paths are `/{SERVICE}/{rpc}`.
pub const SERVICE: &str = "zitadel.org.v2.OrganizationService";

/// One RPC's `google.api.http` mapping plus its authorization data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestRoute {
    /// HTTP method of the REST mapping.
    pub method: &'static str,
    /// Path template; `{field}` segments bind request fields.
    pub path: &'static str,
    /// `"*"`: the JSON body is the request message; `""`: no body, non-path fields
    /// come from query parameters.
    pub body: &'static str,
    /// RPC name (also the last segment of the Connect path).
    pub rpc: &'static str,
    /// Permission the RPC requires on the target organization (the proto's
    /// "Required permission" doc). The proto's `auth_option` itself only says
    /// [`Self::auth_option`]; ZITADEL checks this permission inside the handler.
    pub permission: &'static str,
    /// Literal `zitadel.protoc_gen_zitadel.v2.options.auth_option.permission`.
    pub auth_option: &'static str,
    /// HTTP status on success for REST (`http_response.success_code`, default 200).
    pub success_code: u16,
}

impl RestRoute {
    /// The Connect unary path, e.g. `/zitadel.org.v2.OrganizationService/AddOrganization`.
    pub fn connect_path(&self) -> String {
        format!("/{SERVICE}/{}", self.rpc)
    }

    /// Names of the path parameters, in order.
    pub fn path_params(&self) -> impl Iterator<Item = &'static str> {
        self.path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
    }

    /// Matches `method` and `path` (no query string, not yet percent-decoded) against this
    /// route; returns the bound path parameters.
    pub fn match_path<'p>(
        &self,
        method: &str,
        path: &'p str,
    ) -> Option<Vec<(&'static str, &'p str)>> {
        if method != self.method {
            return None;
        }
        let mut template = self.path.split('/');
        let mut actual = path.split('/');
        let mut params = Vec::new();
        loop {
            match (template.next(), actual.next()) {
                (None, None) => return Some(params),
                (Some(t), Some(a)) => {
                    if let Some(name) = t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                        if a.is_empty() {
                            return None;
                        }
                        params.push((name, a));
                    } else if t != a {
                        return None;
                    }
                }
                _ => return None,
            }
        }
    }
}

const fn route(
    method: &'static str,
    path: &'static str,
    body: &'static str,
    rpc: &'static str,
    permission: &'static str,
) -> RestRoute {
    RestRoute {
        method,
        path,
        body,
        rpc,
        permission,
        auth_option: "authenticated",
        success_code: 200,
    }
}

/// Every RPC of the service, in proto declaration order.
pub const ROUTES: &[RestRoute] = &[
    RestRoute {
        success_code: 201,
        ..route(
            "POST",
            "/v2/organizations",
            "*",
            "AddOrganization",
            "org.create",
        )
    },
    route(
        "POST",
        "/v2/organizations/{organization_id}",
        "*",
        "UpdateOrganization",
        "org.write",
    ),
    route(
        "POST",
        "/v2/organizations/_search",
        "*",
        "ListOrganizations",
        "org.read",
    ),
    route(
        "DELETE",
        "/v2/organizations/{organization_id}",
        "",
        "DeleteOrganization",
        "org.delete",
    ),
    route(
        "POST",
        "/v2/organizations/{organization_id}/metadata",
        "*",
        "SetOrganizationMetadata",
        "org.write",
    ),
    route(
        "POST",
        "/v2/organizations/{organization_id}/metadata/search",
        "*",
        "ListOrganizationMetadata",
        "org.read",
    ),
    route(
        "DELETE",
        "/v2/organizations/{organization_id}/metadata",
        "",
        "DeleteOrganizationMetadata",
        "org.write",
    ),
    route(
        "POST",
        "/v2/organizations/{organization_id}/domains",
        "*",
        "AddOrganizationDomain",
        "org.write",
    ),
    route(
        "POST",
        "/v2/organizations/{organization_id}/domains/search",
        "*",
        "ListOrganizationDomains",
        "org.read",
    ),
    route(
        "DELETE",
        "/v2/organizations/{organization_id}/domains",
        "",
        "DeleteOrganizationDomain",
        "org.write",
    ),
    route(
        "POST",
        "/v2/organizations/{organization_id}/domains/validation/generate",
        "*",
        "GenerateOrganizationDomainValidation",
        "org.write",
    ),
    route(
        "POST",
        "/v2/organizations/{organization_id}/domains/validation/verify",
        "*",
        "VerifyOrganizationDomain",
        "org.write",
    ),
    route(
        "POST",
        "/v2/organizations/{organization_id}/deactivate",
        "*",
        "DeactivateOrganization",
        "org.write",
    ),
    route(
        "POST",
        "/v2/organizations/{organization_id}/activate",
        "*",
        "ActivateOrganization",
        "org.write",
    ),
];

/// The route of RPC `rpc`.
pub fn route_for_rpc(rpc: &str) -> Option<&'static RestRoute> {
    ROUTES.iter().find(|r| r.rpc == rpc)
}

/// The route whose Connect path is `path`.
pub fn route_for_connect_path(path: &str) -> Option<&'static RestRoute> {
    let rpc = path
        .strip_prefix('/')?
        .strip_prefix(SERVICE)?
        .strip_prefix('/')?;
    route_for_rpc(rpc)
}

/// Resolves a REST request. When several templates match, the one with the fewest path
/// parameters wins (so `/v2/organizations/_search` is `ListOrganizations`, as in
/// grpc-gateway, which tries later-registered handlers first).
pub fn match_rest<'p>(
    method: &str,
    path: &'p str,
) -> Option<(&'static RestRoute, Vec<(&'static str, &'p str)>)> {
    ROUTES
        .iter()
        .filter_map(|r| r.match_path(method, path).map(|params| (r, params)))
        .min_by_key(|(_, params)| params.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_route_per_rpc() {
        assert_eq!(ROUTES.len(), 14);
        for (i, a) in ROUTES.iter().enumerate() {
            for b in &ROUTES[i + 1..] {
                assert_ne!(a.rpc, b.rpc);
                assert!(
                    !(a.method == b.method && a.path == b.path),
                    "{} / {}",
                    a.rpc,
                    b.rpc
                );
            }
            assert!(a.body == "*" || a.body.is_empty());
            assert!(a.permission.starts_with("org."));
            if a.method == "DELETE" {
                assert!(a.body.is_empty());
            }
        }
        assert_eq!(
            route_for_rpc("AddOrganization").map(|r| r.success_code),
            Some(201)
        );
    }

    #[test]
    fn rest_matching() {
        let (r, p) = match_rest("POST", "/v2/organizations/_search").unwrap();
        assert_eq!(r.rpc, "ListOrganizations");
        assert!(p.is_empty());

        let (r, p) = match_rest("POST", "/v2/organizations/123").unwrap();
        assert_eq!(r.rpc, "UpdateOrganization");
        assert_eq!(p, vec![("organization_id", "123")]);

        let (r, _) = match_rest("DELETE", "/v2/organizations/123").unwrap();
        assert_eq!(r.rpc, "DeleteOrganization");

        let (r, p) = match_rest("POST", "/v2/organizations/9/domains/validation/verify").unwrap();
        assert_eq!(r.rpc, "VerifyOrganizationDomain");
        assert_eq!(p, vec![("organization_id", "9")]);

        let (r, _) = match_rest("POST", "/v2/organizations/9/metadata/search").unwrap();
        assert_eq!(r.rpc, "ListOrganizationMetadata");

        assert!(match_rest("GET", "/v2/organizations/123").is_none());
        assert!(match_rest("POST", "/v2/organizations//domains").is_none());
        assert!(match_rest("POST", "/v2/organizations/1/domains/x").is_none());
    }

    #[test]
    fn connect_paths() {
        let r = route_for_rpc("ListOrganizationDomains").unwrap();
        assert_eq!(
            r.connect_path(),
            "/zitadel.org.v2.OrganizationService/ListOrganizationDomains"
        );
        assert_eq!(route_for_connect_path(&r.connect_path()), Some(r));
        assert_eq!(r.path_params().collect::<Vec<_>>(), vec!["organization_id"]);
        assert!(route_for_connect_path("/zitadel.org.v2beta.OrganizationService/X").is_none());
    }
}
