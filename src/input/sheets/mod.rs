//! Spreadsheets in: children, homes and providers from CSV files or one workbook, read into a
//! `placematch/batch@1` batch ([`import`]), and the published templates ([`template_files`]).
//!
//! The flat column design (one column per Valuing Care indicator, `;`-separated lists for
//! risks, placement types and exclusion zones) is [`columns::columns`]; the broker's guide is
//! docs/guide/spreadsheets.md.

pub mod cells;
pub mod columns;
pub mod export;
pub mod import;
pub mod table;

pub use export::{batch_csv_files, batch_xlsx, template_files};
pub use import::{import, import_checked};
