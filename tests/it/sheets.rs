//! Spreadsheets in and out: the templates, the bundled example, every problem at its cell,
//! and the result written as a workbook and as CSV files.

use std::path::{Path, PathBuf};

use calamine::{open_workbook, Data, Reader, Xlsx};
use placematch::input::batch::Batch;
use placematch::input::sheets::{batch_csv_files, batch_xlsx, import, template_files};
use placematch::pair::instance::load_batch;
use placematch::result::sheets::{result_csv_files, result_xlsx, write_files, MONEY_FORMAT, SCORE_FORMAT};
use serde_json::Value;

use crate::harness::{bin, instance, solve_checked};

/// A folder holding the published template's files.
fn template_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &template_files().unwrap(), false).unwrap();
    dir
}

/// Rewrites a CSV file's rows (header included) in place.
fn edit(dir: &Path, file: &str, f: impl FnOnce(&mut Vec<Vec<String>>)) {
    let path = dir.join(file);
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(&path)
        .unwrap();
    let mut rows: Vec<Vec<String>> = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    f(&mut rows);
    let mut w = csv::Writer::from_path(&path).unwrap();
    for row in rows {
        w.write_record(row).unwrap();
    }
    w.flush().unwrap();
}

/// Sets a cell of the first data row (row 2) by column name, adding the column if needed.
fn set(rows: &mut [Vec<String>], row: usize, column: &str, value: &str) {
    let c = match rows[0].iter().position(|h| h == column) {
        Some(c) => c,
        None => {
            rows[0].push(column.into());
            rows[0].len() - 1
        }
    };
    let r = &mut rows[row - 1];
    r.resize(r.len().max(c + 1), String::new());
    r[c] = value.into();
}

fn issues(path: &Path) -> Vec<(String, String, String)> {
    match import(path) {
        Ok(_) => Vec::new(),
        Err(e) => e
            .issues
            .iter()
            .map(|i| (i.path.clone(), i.code.code().to_string(), i.message.clone()))
            .collect(),
    }
}

fn has(got: &[(String, String, String)], path: &str, code: &str) {
    assert!(
        got.iter().any(|(p, c, _)| p == path && c == code),
        "expected {code} at {path}, got {got:#?}"
    );
}

/// A batch as canonical JSON (codes such as `U3` read as their type).
fn canonical(b: &Batch) -> Value {
    let text = serde_json::to_string(b).unwrap();
    serde_json::to_value(serde_json::from_str::<Batch>(&text).unwrap()).unwrap()
}

fn example() -> Batch {
    serde_json::from_str(&std::fs::read_to_string(instance("example.json")).unwrap()).unwrap()
}

fn bundled() -> PathBuf {
    instance("sheets")
}

#[test]
fn template_imports_to_a_valid_batch_from_csv_and_xlsx() {
    let dir = template_dir();
    for f in [
        "children.csv",
        "homes.csv",
        "providers.csv",
        "batch.csv",
        "notes.csv",
        "template.xlsx",
    ] {
        assert!(dir.path().join(f).is_file(), "{f} missing");
    }
    let from_csv = import(dir.path()).unwrap();
    let from_xlsx = import(&dir.path().join("template.xlsx")).unwrap();
    assert_eq!(canonical(&from_csv), canonical(&from_xlsx));
    assert_eq!(
        (from_csv.children.len(), from_csv.homes.len(), from_csv.providers.len()),
        (1, 1, 1)
    );
    assert_eq!(from_csv.as_of.as_deref(), Some("2026-11-22"));
    load_batch(&serde_json::to_string(&from_csv).unwrap(), "t", None).unwrap();
    // The notes name every column with its SSDA903 equivalent where there is one.
    let notes = std::fs::read_to_string(dir.path().join("notes.csv")).unwrap();
    for needle in ["need_emotional_health", "U1–U6", "PR1", "exclusion_zones", "K2"] {
        assert!(notes.contains(needle), "notes lack {needle}");
    }
}

#[test]
fn filled_template_round_trips_and_solves() {
    let dir = template_dir();
    // A broker fills in a second child and a second home, the way councils write things.
    edit(dir.path(), "children.csv", |rows| {
        rows.push(vec![String::new(); rows[0].len()]);
        set(rows, 3, "id", "C2");
        set(rows, 3, "postcode", "rh13 5ab");
        set(rows, 3, "age", "9");
        set(rows, 3, "sex", "M");
        set(rows, 3, "placement_types", "U3; K2");
        set(rows, 3, "need_education", "2");
        set(rows, 3, "urgency", "Emergency");
        set(rows, 3, "requires_solo", "N");
        set(rows, 3, "exclusion_zones", "E06000043; 50.9,-0.4 within 3 km");
    });
    edit(dir.path(), "homes.csv", |rows| {
        rows.push(vec![String::new(); rows[0].len()]);
        set(rows, 3, "id", "H2");
        set(rows, 3, "provider", "P1");
        set(rows, 3, "type", "U4");
        set(rows, 3, "postcode", "RH13 5");
        set(rows, 3, "vacancies", "1");
        set(rows, 3, "weekly_price", "£1,050");
        set(rows, 3, "ofsted", "Requires Improvement");
    });
    let b = import(dir.path()).unwrap();
    assert_eq!(b.children.len(), 2);
    let c2 = &b.children[1];
    assert_eq!(c2.location.postcode.as_deref(), Some("RH13 5AB"));
    assert_eq!(c2.exclusion_zones.len(), 2);
    assert_eq!(b.homes[1].weekly_price, 1050.0);
    let inst = load_batch(&serde_json::to_string(&b).unwrap(), "t", None).unwrap();
    let r = solve_checked(&inst, 2);
    assert_eq!(r.placements.len() + r.unplaced.len(), 2);
}

#[test]
fn bundled_spreadsheets_import_to_the_example_batch() {
    let mut want = example();
    want.policy = None;
    for source in [bundled(), bundled().join("example.xlsx")] {
        let got = import(&source).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(canonical(&got), canonical(&want), "{}", source.display());
    }
}

#[test]
fn bundled_spreadsheets_solve_to_the_example_objective() {
    let ex = example();
    let mut b = import(&bundled()).unwrap();
    // The policy is not a sheet: it comes from the batch file, `import --policy` or `solve --policy`.
    b.policy = ex.policy.clone();
    let got = solve_checked(&load_batch(&serde_json::to_string(&b).unwrap(), "t", None).unwrap(), 1);
    let text = std::fs::read_to_string(instance("example.json")).unwrap();
    let want = solve_checked(&load_batch(&text, "example", None).unwrap(), 1);
    assert!(
        (got.objective - want.objective).abs() < 1e-6,
        "{} vs {}",
        got.objective,
        want.objective
    );
}

/// Writes the bundled example from instances/example.json:
/// `cargo test --release --test it sheets::regenerate_bundled_example -- --ignored`.
#[test]
#[ignore]
fn regenerate_bundled_example() {
    let mut b = example();
    b.policy = None;
    let mut files = batch_csv_files(&b);
    files.push(("example.xlsx".into(), batch_xlsx(&b).unwrap()));
    write_files(&bundled(), &files, true).unwrap();
}

#[test]
fn every_cell_problem_is_reported_at_once_with_file_row_column_and_code() {
    let dir = template_dir();
    edit(dir.path(), "children.csv", |rows| {
        set(rows, 2, "age", "fifteen");
        set(rows, 2, "sex", "x");
        set(rows, 2, "need_education", "5");
        set(rows, 2, "postcode", "ZZ99 9");
        set(rows, 2, "exclusion_zones", "near Brighton");
        rows.push(rows[1].clone());
        set(rows, 3, "age", "12");
        set(rows, 3, "need_education", "5");
        set(rows, 3, "requires_solo", "maybe");
    });
    edit(dir.path(), "homes.csv", |rows| {
        set(rows, 2, "provider", "P9");
        set(rows, 2, "weekly_price", "1,2");
        set(rows, 2, "vacancies", "2.5");
    });
    let got = issues(dir.path());
    has(&got, "children.csv:row 2:age", "E1003");
    // A cell that could not be read is not reported again as a missing field.
    assert!(
        !got.iter()
            .any(|(p, c, _)| p == "children.csv:row 2:age" && c == "E1005"),
        "{got:#?}"
    );
    has(&got, "children.csv:row 2:sex", "E1006");
    has(&got, "children.csv:row 2:exclusion_zones", "E1003");
    has(&got, "children.csv:row 3:requires_solo", "E1006");
    has(&got, "homes.csv:row 2:weekly_price", "E1003");
    has(&got, "homes.csv:row 2:vacancies", "E1003");
    // Cell problems stop the import before the batch rules run; fix them and those come next.
    edit(dir.path(), "children.csv", |rows| {
        set(rows, 2, "age", "15");
        set(rows, 2, "sex", "f");
        set(rows, 2, "exclusion_zones", "");
        set(rows, 3, "sex", "f");
        set(rows, 3, "exclusion_zones", "");
        set(rows, 3, "requires_solo", "no");
    });
    edit(dir.path(), "homes.csv", |rows| {
        set(rows, 2, "weekly_price", "1,200");
        set(rows, 2, "vacancies", "2");
    });
    let got = issues(dir.path());
    has(&got, "children.csv:row 2:need_education", "E1302");
    has(&got, "children.csv:row 3:need_education", "E1302");
    has(&got, "children.csv:row 2:postcode", "E1202");
    has(&got, "children.csv:row 3:id", "E1101");
    has(&got, "homes.csv:row 2:provider", "E1203");
    let dup = got.iter().find(|(_, c, _)| c == "E1101").unwrap();
    assert!(dup.2.contains("children.csv:row 2"), "{}", dup.2);
    // Every issue prints with what to do.
    let text = import(dir.path()).unwrap_err().to_string();
    assert!(text.contains("what to do"), "{text}");
}

#[test]
fn workbook_problems_name_the_file_sheet_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = example();
    b.children[2].age = 40;
    let path = dir.path().join("day.xlsx");
    std::fs::write(&path, batch_xlsx(&b).unwrap()).unwrap();
    has(&issues(&path), "day.xlsx:children:row 4:age", "E1301");
}

#[test]
fn missing_required_column_is_reported_once() {
    let dir = template_dir();
    edit(dir.path(), "children.csv", |rows| {
        let c = rows[0].iter().position(|h| h == "age").unwrap();
        for r in rows.iter_mut() {
            r.remove(c);
        }
    });
    let got = issues(dir.path());
    assert_eq!(got.len(), 1, "{got:#?}");
    has(&got, "children.csv:age", "E1005");
}

#[test]
fn unknown_column_suggests_the_nearest() {
    let dir = template_dir();
    edit(dir.path(), "children.csv", |rows| {
        rows[0]
            .iter_mut()
            .filter(|h| *h == "postcode")
            .for_each(|h| *h = "Post code".into());
        set(rows, 2, "emotional_health", "1");
        set(rows, 2, "favourite_colour", "blue");
    });
    let got = issues(dir.path());
    let msg = |p: &str| {
        got.iter()
            .find(|(q, c, _)| q == p && c == "E1701")
            .map(|x| x.2.clone())
            .unwrap()
    };
    assert!(
        msg("children.csv:Post code").contains("did you mean `postcode`"),
        "{got:#?}"
    );
    assert!(msg("children.csv:emotional_health").contains("did you mean `need_emotional_health`"));
    assert!(msg("children.csv:favourite_colour").contains("the columns are"));
}

#[test]
fn headers_are_read_whatever_their_case_and_spacing() {
    let dir = template_dir();
    edit(dir.path(), "homes.csv", |rows| {
        for h in rows[0].iter_mut() {
            *h = h.replace('_', " ").to_uppercase();
        }
    });
    import(dir.path()).unwrap();
}

#[test]
fn dates_are_day_first_or_iso_and_never_guessed() {
    let dir = template_dir();
    let waited = |as_of: &str, referral: &str| -> Result<i64, Vec<(String, String, String)>> {
        edit(dir.path(), "batch.csv", |rows| set(rows, 2, "as_of", as_of));
        edit(dir.path(), "children.csv", |rows| {
            set(rows, 2, "waiting_days", "");
            set(rows, 2, "referral_date", referral);
        });
        import(dir.path())
            .map(|b| b.children[0].waiting_days)
            .map_err(|_| issues(dir.path()))
    };
    assert_eq!(waited("22/11/2026", "13/11/2026").unwrap(), 9);
    assert_eq!(waited("2026-11-22", "1/11/2026").unwrap(), 21);
    assert_eq!(waited("01/03/2024", "28/02/2024").unwrap(), 2, "2024 is a leap year");
    // A two-digit year could be 1924 or 2024: refused.
    has(
        &waited("22/11/2026", "03/04/24").unwrap_err(),
        "children.csv:row 2:referral_date",
        "E1703",
    );
    // Month first is not read: 11/22/2026 has no 22nd month.
    let e = waited("11/22/2026", "13/11/2026").unwrap_err();
    has(&e, "batch.csv:row 2:as_of", "E1703");
    assert!(e[0].2.contains("day first"), "{e:#?}");
    has(
        &waited("22/11/2026", "31/02/2026").unwrap_err(),
        "children.csv:row 2:referral_date",
        "E1703",
    );
    has(
        &waited("22/11/2026", "23/11/2026").unwrap_err(),
        "children.csv:row 2:referral_date",
        "E1303",
    );
    // A number in a CSV date column is not taken for an Excel serial.
    has(
        &waited("46348", "13/11/2026").unwrap_err(),
        "batch.csv:row 2:as_of",
        "E1703",
    );
    // A referral date needs the batch's date.
    has(
        &waited("", "13/11/2026").unwrap_err(),
        "children.csv:row 2:referral_date",
        "E1005",
    );
}

#[test]
fn excel_dates_and_serials_are_read_in_workbooks() {
    use rust_xlsxwriter::{Format, Workbook};
    let dir = template_dir();
    let csv_batch = import(dir.path()).unwrap();
    let files = batch_csv_files(&csv_batch);
    let mut book = Workbook::new();
    for (name, bytes) in &files {
        let ws = book.add_worksheet();
        ws.set_name(name.trim_end_matches(".csv")).unwrap();
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(bytes.as_slice());
        let skip = if name == "children.csv" {
            rec_col(bytes, "waiting_days")
        } else {
            usize::MAX
        };
        for (i, rec) in r.records().enumerate() {
            for (j, v) in rec.unwrap().iter().enumerate() {
                if i > 0 && j == skip {
                    continue;
                }
                ws.write_string(i as u32, j as u16, v).unwrap();
            }
        }
        if name == "batch.csv" {
            // 2026-11-22 as a date cell.
            ws.write_number_with_format(1, 1, 46348.0, &Format::new().set_num_format("dd/mm/yyyy"))
                .unwrap();
        }
        if name == "children.csv" {
            // A serial that lost its date format: 2026-11-13.
            ws.write_number(1, rec_col(bytes, "referral_date") as u16, 46339.0)
                .unwrap();
        }
    }
    let path = dir.path().join("dated.xlsx");
    book.save(&path).unwrap();
    let b = import(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(b.as_of.as_deref(), Some("2026-11-22"));
    assert_eq!(b.children[0].waiting_days, 9);
}

fn rec_col(csv_bytes: &[u8], name: &str) -> usize {
    let first = String::from_utf8_lossy(csv_bytes).lines().next().unwrap().to_string();
    first.split(',').position(|h| h == name).unwrap()
}

#[test]
fn yes_no_is_read_in_every_usual_spelling() {
    let dir = template_dir();
    for (text, want) in [
        ("yes", true),
        ("Y", true),
        ("TRUE", true),
        ("1", true),
        ("no", false),
        ("n", false),
        ("False", false),
        ("0", false),
    ] {
        edit(dir.path(), "children.csv", |rows| set(rows, 2, "requires_solo", text));
        assert_eq!(import(dir.path()).unwrap().children[0].requires_solo, want, "{text}");
    }
    for text in ["maybe", "yes please", "2"] {
        edit(dir.path(), "children.csv", |rows| set(rows, 2, "requires_solo", text));
        has(&issues(dir.path()), "children.csv:row 2:requires_solo", "E1006");
    }
}

#[test]
fn csv_with_a_byte_order_mark_reads_the_same() {
    let dir = template_dir();
    let before = import(dir.path()).unwrap();
    for f in ["children.csv", "homes.csv", "providers.csv"] {
        let p = dir.path().join(f);
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend(std::fs::read(&p).unwrap());
        std::fs::write(&p, bytes).unwrap();
    }
    assert_eq!(canonical(&import(dir.path()).unwrap()), canonical(&before));
}

#[test]
fn result_workbook_reads_back_with_money_formatted_as_money() {
    let text = std::fs::read_to_string(instance("example.json")).unwrap();
    let batch = example();
    let r = solve_checked(&load_batch(&text, "example", None).unwrap(), 2);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("result.xlsx");
    std::fs::write(&path, result_xlsx(&r, &batch).unwrap()).unwrap();
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["Summary", "Placements", "Alternatives", "Unplaced"]
    );
    let range = book.worksheet_range("Placements").unwrap();
    let header: Vec<String> = range.rows().next().unwrap().iter().map(|d| d.to_string()).collect();
    let price_col = header.iter().position(|h| h.starts_with("weekly price")).unwrap();
    let first = &r.placements[0];
    let home = batch.homes.iter().find(|h| h.id == first.home).unwrap();
    assert_eq!(range.get((1, 0)), Some(&Data::String(first.child.clone())));
    assert_eq!(range.get((1, price_col)), Some(&Data::Float(home.weekly_price)));
    let styles = book.worksheet_style("Placements").unwrap();
    let fmt = styles
        .get((1, price_col as u32))
        .and_then(|s| s.number_format.clone())
        .unwrap();
    assert_eq!(fmt.format_code, MONEY_FORMAT);
    // The cost is a score, not money: no £ sign on it.
    let cost_col = header.iter().position(|h| h.starts_with("cost (score")).unwrap();
    assert_eq!(range.get((1, cost_col)), Some(&Data::Float(first.cost.total)));
    let fmt = styles
        .get((1, cost_col as u32))
        .and_then(|s| s.number_format.clone())
        .unwrap();
    assert_eq!(fmt.format_code, SCORE_FORMAT);
    let alts = book.worksheet_range("Alternatives").unwrap();
    assert_eq!(
        alts.height() - 1,
        r.placements.iter().map(|p| p.alternatives.len()).sum::<usize>()
    );
    let unplaced = book.worksheet_range("Unplaced").unwrap();
    assert_eq!(unplaced.height() - 1, r.unplaced.len());
}

#[test]
fn result_csv_files_read_back() {
    let text = std::fs::read_to_string(instance("example.json")).unwrap();
    let batch = example();
    let r = solve_checked(&load_batch(&text, "example", None).unwrap(), 2);
    let dir = tempfile::tempdir().unwrap();
    let files = result_csv_files(&r, &batch);
    write_files(dir.path(), &files, false).unwrap();
    // Never over existing files without force.
    assert!(write_files(dir.path(), &files, false).is_err());
    write_files(dir.path(), &files, true).unwrap();
    let mut rd = csv::Reader::from_path(dir.path().join("placements.csv")).unwrap();
    let h = rd.headers().unwrap().clone();
    let price = h.iter().position(|x| x.starts_with("weekly price")).unwrap();
    let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), r.placements.len());
    let home = batch.homes.iter().find(|x| x.id == r.placements[0].home).unwrap();
    assert_eq!(rows[0][price].parse::<f64>().unwrap(), home.weekly_price);
    assert!(dir.path().join("unplaced.csv").is_file() && dir.path().join("alternatives.csv").is_file());
}

#[test]
fn import_and_solve_commands_write_spreadsheets_and_never_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    bin()
        .arg("import")
        .arg("--template")
        .arg(d.join("tpl"))
        .assert()
        .success();
    bin()
        .arg("import")
        .arg("--template")
        .arg(d.join("tpl"))
        .assert()
        .code(1);
    let batch = d.join("b.json");
    bin()
        .arg("import")
        .arg(d.join("tpl/template.xlsx"))
        .arg("-o")
        .arg(&batch)
        .assert()
        .success();
    bin()
        .arg("import")
        .arg(d.join("tpl"))
        .arg("-o")
        .arg(&batch)
        .assert()
        .code(1);
    bin()
        .arg("import")
        .arg(d.join("tpl"))
        .arg("-o")
        .arg(&batch)
        .arg("--force")
        .assert()
        .success();
    bin().arg("validate").arg(&batch).assert().success();
    let xlsx = d.join("r.xlsx");
    bin()
        .arg("solve")
        .arg(&batch)
        .arg("--check")
        .arg("-o")
        .arg(d.join("r.json"))
        .arg("--xlsx")
        .arg(&xlsx)
        .arg("--csv")
        .arg(d.join("csv"))
        .assert()
        .success();
    assert!(xlsx.is_file() && d.join("csv/placements.csv").is_file());
    bin().arg("solve").arg(&batch).arg("--xlsx").arg(&xlsx).assert().code(1);
    // A bad cell exits 3 with its place.
    std::fs::write(d.join("tpl/providers.csv"), "id,kind\nP1,PR9\n").unwrap();
    let out = bin().arg("import").arg(d.join("tpl")).assert().code(3);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("providers.csv:row 2:kind: E1006"), "{err}");
}

#[test]
fn offers_and_decisions_sheets_report_problems_at_their_cells() {
    let dir = tempfile::tempdir().unwrap();
    let day = dir.path().join("afternoon");
    std::fs::create_dir_all(&day).unwrap();
    for e in std::fs::read_dir(bundled().join("afternoon")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), day.join(e.file_name())).unwrap();
    }
    // As bundled, the afternoon imports with its three decisions and one offer.
    let b = import(&day).unwrap();
    assert_eq!((b.decisions.len(), b.offers.len()), (3, 1));
    assert_eq!(b.decisions[0].at.as_deref(), Some("2026-11-22T13:40"));
    edit(&day, "decisions.csv", |rows| rows[1][0] = "WSX-C99".into());
    edit(&day, "offers.csv", |rows| rows[1][2] = "0".into());
    let got = crate::harness::pairs(import(&day));
    assert!(
        got.contains(&("decisions.csv:row 2:child".into(), "E1710".into())),
        "{got:?}"
    );
    assert!(
        got.contains(&("offers.csv:row 2:weekly_price".into(), "E1722".into())),
        "{got:?}"
    );
    edit(&day, "decisions.csv", |rows| rows[2][4] = "22/11/2026 25:00".into());
    let got = crate::harness::pairs(import(&day));
    assert!(
        got.contains(&("decisions.csv:row 3:at".into(), "E1718".into())),
        "{got:?}"
    );
}
