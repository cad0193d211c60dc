//! A batch written as spreadsheets (the bundled example, the published templates): the same
//! columns the import reads, so whatever is written here reads back to the same batch.

use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde_json::Value;

use crate::input::batch::{
    Batch, Child, Decision, DecisionKind, Home, Location, Offer, Provider, StepAcross, Urgency, BATCH_FORMAT,
};
use crate::input::batch::{Indicator, Ofsted, PlacementType, ProviderKind, Risk, Sex};
use crate::input::sheets::cells::{number_text, Date};
use crate::input::sheets::columns::{columns, Column, Kind, Sheet};

/// A cell to write: text, a number, or a date.
#[derive(Debug, Clone, PartialEq)]
pub enum Out {
    /// Blank.
    Empty,
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
    /// A date (written as a date cell in a workbook, DD/MM/YYYY in CSV).
    Date(Date),
}

impl Out {
    fn csv(&self) -> String {
        match self {
            Out::Empty => String::new(),
            Out::Text(s) => s.clone(),
            Out::Number(x) => number_text(*x),
            Out::Date(d) => format!("{:02}/{:02}/{:04}", d.day, d.month, d.year),
        }
    }
}

/// A sheet to write: its header and its rows.
pub type Rows = (Vec<String>, Vec<Vec<Out>>);

/// The rows of one sheet of a batch: the header, then one row per record.
pub fn sheet_rows(batch: &Batch, sheet: Sheet) -> Rows {
    let cols = columns(sheet);
    let header = cols.iter().map(|c| c.name.clone()).collect();
    let records: Vec<Value> = match sheet {
        Sheet::Batch => vec![serde_json::json!({ "batch_id": batch.batch_id, "as_of": batch.as_of })],
        Sheet::Providers => batch.providers.iter().map(to_value).collect(),
        Sheet::Homes => batch.homes.iter().map(to_value).collect(),
        Sheet::Children => batch.children.iter().map(to_value).collect(),
        Sheet::Offers => batch.offers.iter().map(to_value).collect(),
        Sheet::Decisions => batch.decisions.iter().map(to_value).collect(),
    };
    let rows = records
        .iter()
        .map(|r| cols.iter().map(|c| cell(r, c)).collect())
        .collect();
    (header, rows)
}

fn to_value<T: serde::Serialize>(t: &T) -> Value {
    serde_json::to_value(t).expect("records serialise")
}

fn cell(record: &Value, col: &Column) -> Out {
    let v = col.json.split('.').try_fold(record, |v, k| v.get(k));
    let v = match v {
        None | Some(Value::Null) => return Out::Empty,
        Some(v) => v,
    };
    match (col.kind, v) {
        // A referral date cannot be recovered from days waited: the batch keeps the days.
        (Kind::ReferralDate, _) => Out::Empty,
        (Kind::Date, Value::String(s)) => {
            match crate::input::sheets::cells::date(&crate::input::sheets::cells::Cell::Text(s.clone()), false) {
                Ok(d) => Out::Date(d),
                Err(_) => Out::Text(s.clone()),
            }
        }
        (_, Value::Bool(b)) => Out::Text(if *b { "yes" } else { "no" }.into()),
        (_, Value::Number(n)) => Out::Number(n.as_f64().unwrap_or(0.0)),
        (_, Value::String(s)) => Out::Text(s.clone()),
        (Kind::Zones, Value::Array(zones)) => Out::Text(zones.iter().map(zone_text).collect::<Vec<_>>().join("; ")),
        (_, Value::Array(items)) if items.is_empty() => Out::Empty,
        (_, Value::Array(items)) => Out::Text(
            items
                .iter()
                .map(|i| i.as_str().map(str::to_string).unwrap_or_else(|| i.to_string()))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        (_, other) => Out::Text(other.to_string()),
    }
}

fn zone_text(z: &Value) -> String {
    if let Some(la) = z.get("la").and_then(Value::as_str) {
        return la.to_string();
    }
    let r = z
        .get("radius_km")
        .and_then(Value::as_f64)
        .map(number_text)
        .unwrap_or_default();
    let c = z.get("center").cloned().unwrap_or(Value::Null);
    let place = match (c.get("postcode"), c.get("lat"), c.get("lon")) {
        (Some(Value::String(p)), _, _) => p.clone(),
        (_, Some(lat), Some(lon)) => format!("{lat},{lon}"),
        _ => String::new(),
    };
    format!("{place} within {r} km")
}

/// One sheet as CSV (UTF-8, no byte-order mark).
pub fn csv_bytes(header: &[String], rows: &[Vec<Out>]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).expect("in memory");
    for r in rows {
        w.write_record(r.iter().map(Out::csv)).expect("in memory");
    }
    w.into_inner().expect("in memory")
}

/// The notes: one row per column of every sheet, saying what it means and takes.
pub fn notes() -> Rows {
    let header = [
        "sheet",
        "column",
        "required",
        "meaning",
        "allowed values",
        "SSDA903 equivalent",
    ];
    let mut rows = Vec::new();
    for sheet in Sheet::ALL {
        for c in columns(sheet) {
            let req = if c.required {
                "yes"
            } else if c.name == "postcode" {
                "postcode, or lat and lon"
            } else {
                "no"
            };
            rows.push(
                [sheet.name(), &c.name, req, &c.meaning, &c.allowed, &c.ssda903]
                    .iter()
                    .map(|s| Out::Text(s.to_string()))
                    .collect(),
            );
        }
    }
    (header.iter().map(|s| s.to_string()).collect(), rows)
}

/// The batch as CSV files: `batch.csv`, `providers.csv`, `homes.csv`, `children.csv`.
pub fn batch_csv_files(batch: &Batch) -> Vec<(String, Vec<u8>)> {
    Sheet::ALL
        .iter()
        .map(|s| {
            let (h, r) = sheet_rows(batch, *s);
            (format!("{}.csv", s.name()), csv_bytes(&h, &r))
        })
        .collect()
}

/// The batch as one workbook with a sheet per record kind, the `batch` sheet and the notes.
pub fn batch_xlsx(batch: &Batch) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let day = Format::new().set_num_format("dd/mm/yyyy");
    let mut sheets: Vec<(String, Rows)> = Sheet::ALL
        .iter()
        .map(|s| (s.name().to_string(), sheet_rows(batch, *s)))
        .collect();
    sheets.push(("notes".into(), notes()));
    for (name, (header, rows)) in sheets {
        let ws = book.add_worksheet();
        ws.set_name(&name)?;
        for (c, h) in header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)?;
            ws.set_column_width(c as u16, (h.len() as f64 + 2.0).max(10.0))?;
        }
        for (r, row) in rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, v) in row.iter().enumerate() {
                let c = c as u16;
                match v {
                    Out::Empty => {}
                    Out::Text(s) => {
                        ws.write_string(r, c, s)?;
                    }
                    Out::Number(x) => {
                        ws.write_number(r, c, *x)?;
                    }
                    Out::Date(d) => {
                        ws.write_number_with_format(r, c, d.excel_serial(), &day)?;
                    }
                }
            }
        }
        ws.set_freeze_panes(1, 0)?;
    }
    book.save_to_buffer()
}

/// The published template: the three sheets and `batch`, each with its header and one example
/// row that imports to a valid batch, and the notes. Files: the four CSVs, `notes.csv` and
/// `template.xlsx` (the same, as sheets).
pub fn template_files() -> Result<Vec<(String, Vec<u8>)>, XlsxError> {
    let batch = template_batch();
    let mut files = batch_csv_files(&batch);
    let (h, r) = notes();
    files.push(("notes.csv".into(), csv_bytes(&h, &r)));
    files.push(("template.xlsx".into(), batch_xlsx(&batch)?));
    Ok(files)
}

/// The one-example-row batch of the template.
pub fn template_batch() -> Batch {
    let pc = |p: &str| Location {
        postcode: Some(p.into()),
        lat: None,
        lon: None,
    };
    Batch {
        format: BATCH_FORMAT.into(),
        batch_id: Some("wsx-2026-11-22".into()),
        as_of: Some("2026-11-22".into()),
        policy: None,
        providers: vec![Provider {
            id: "P1".into(),
            name: Some("Oak Care".into()),
            kind: Some(ProviderKind::Private),
            ofsted: Some(Ofsted::Good),
            step_across: true,
            max_admissions: Some(3),
            volume_discount: None,
        }],
        homes: vec![Home {
            id: "H1".into(),
            name: Some("Oak House".into()),
            provider: "P1".into(),
            kind: PlacementType::Residential,
            location: pc("RH12 1"),
            la: None,
            ofsted: Some(Ofsted::Outstanding),
            vacancies: 2,
            block_vacancies: 0,
            occupied: 2,
            age_min: Some(11),
            age_max: Some(17),
            sexes: vec![Sex::Female, Sex::Male],
            support: [(Indicator::EmotionalHealth, 3), (Indicator::SelfRegulation, 3)]
                .into_iter()
                .collect(),
            accepts: vec![Risk::Missing, Risk::SelfHarm],
            resident_risks: vec![Risk::Missing],
            incompatible_risks: vec![Risk::HarmfulSexualBehaviour],
            weekly_price: 5200.0,
            languages: vec!["en".into()],
        }],
        children: vec![Child {
            id: "C1".into(),
            la: Some("E10000032".into()),
            location: pc("RH12 1AB"),
            age: 14,
            sex: Some(Sex::Female),
            placement_types: vec![PlacementType::Foster, PlacementType::Residential],
            needs: [(Indicator::EmotionalHealth, 3), (Indicator::SelfRegulation, 2)]
                .into_iter()
                .collect(),
            risks: vec![Risk::Missing],
            incompatible_risks: Vec::new(),
            urgency: Urgency::Urgent,
            waiting_days: 9,
            sibling_group: None,
            keep_together: None,
            requires_solo: false,
            secure_order: false,
            max_distance_km: Some(80.0),
            min_distance_km: None,
            exclusion_zones: vec![serde_json::from_value(
                serde_json::json!({"center": {"postcode": "BN11 1"}, "radius_km": 5.0}),
            )
            .expect("a zone")],
            step_across: Some(StepAcross {
                to: PlacementType::Foster,
            }),
            budget_cap: Some(6000.0),
            languages: vec!["en".into()],
            min_ofsted: None,
        }],
        offers: vec![Offer {
            child: "C1".into(),
            home: "H1".into(),
            weekly_price: 4950.0,
            note: Some("includes 1:1 support in the first month".into()),
        }],
        decisions: vec![Decision {
            child: "C1".into(),
            home: "H1".into(),
            decision: DecisionKind::Held,
            reason: Some("bed kept until Friday".into()),
            at: Some("2026-11-22T10:30".into()),
        }],
    }
}
