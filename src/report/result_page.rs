//! The page of a result (`placematch/result@1`): summary, map, who goes where, one card
//! per placed child and one per child not placed.

use std::collections::BTreeMap;

use maud::{html, Markup};

use super::map::{maps, Trip};
use super::svg::{f1, ALT_COLOURS};
use super::{authority_name, percent, BatchContext};
use crate::pair::cost::TERM_NAMES;
use crate::result::format::{Alternative, MatchResult, Placement, Status, Unplaced};
use crate::support::money::{pounds, score, signed_pounds, signed_score};

/// A child's authority as the filter sees it: code and name, or empty without a batch.
struct La {
    code: String,
    name: String,
}

fn la_of(ctx: Option<&BatchContext>, child: &str) -> La {
    match ctx.and_then(|c| c.children.get(child)) {
        Some(i) => La {
            code: i.la.clone(),
            name: authority_name(&i.la),
        },
        None => La {
            code: String::new(),
            name: String::new(),
        },
    }
}

fn home_label(ctx: Option<&BatchContext>, id: &str) -> String {
    ctx.map_or_else(|| id.to_string(), |c| c.home_label(id))
}

/// The whole page.
pub(super) fn render(r: &MatchResult, ctx: Option<&BatchContext>) -> String {
    let batch_id = r.batch_id.as_deref().or(ctx.and_then(|c| c.batch_id.as_deref()));
    let title = match batch_id {
        Some(id) => format!("Placements for batch {id}"),
        None => "Placements".to_string(),
    };
    let total = r.placements.len() + r.unplaced.len();
    let authorities: BTreeMap<String, String> = r
        .placements
        .iter()
        .map(|p| p.child.as_str())
        .chain(r.unplaced.iter().map(|u| u.child.as_str()))
        .map(|c| la_of(ctx, c))
        .filter(|l| !l.code.is_empty())
        .map(|l| (l.name, l.code))
        .collect();
    let body = html! {
        header {
            h1 { (title) }
            p.sub {
                @if let Some(d) = ctx.and_then(|c| c.as_of.as_deref()) { "As of " (d) ". " }
                (r.placements.len()) " of " (total) " children placed; "
                (status_words(r)) "."
            }
        }
        main {
            section aria-labelledby="h-summary" {
                h2 #h-summary { "Summary" }
                (summary(r))
            }
            section aria-labelledby="h-map" {
                h2 #h-map { "Where children go" }
                @match ctx {
                    Some(c) => (maps(&trips(r, c))),
                    None => p.note {
                        "No map: a result holds ids, not places. Run "
                        code { "placematch report RESULT.json --batch BATCH.json -o report.html" }
                        " with the batch it was solved from to draw the map and filter by authority."
                    },
                }
            }
            form.controls aria-label="Filter and sort the children" {
                @if !authorities.is_empty() {
                    label { "Authority"
                        select #f-la {
                            option value="" { "All authorities" }
                            @for (name, code) in &authorities { option value=(code) { (name) } }
                        }
                    }
                }
                label { "Urgency"
                    select #f-u {
                        option value="" { "All" }
                        @for u in crate::input::batch::Urgency::ALL { option value=(u.name()) { (u.name()) } }
                    }
                }
                label { "Sort by"
                    select #f-sort {
                        option value="u" { "urgency" }
                        option value="id" { "child id" }
                        option value="cost" { "weekly cost, highest first" }
                        option value="km" { "distance, furthest first" }
                        @if !authorities.is_empty() { option value="la" { "authority" } }
                    }
                }
                output #f-shown data-total=(total) aria-live="polite" { (total) " of " (total) " children shown" }
            }
            @if let Some(since) = &r.since {
                (changes_section(r, since))
            }
            @if let Some(f) = &r.forecast {
                (super::forecast_section::section(f, &|h: &str| home_label(ctx, h)))
            }
            section aria-labelledby="h-glance" {
                h2 #h-glance { "Who goes where" }
                (glance(r, ctx))
            }
            section aria-labelledby="h-unplaced" {
                h2 #h-unplaced { "Not placed (" (r.unplaced.len()) ")" }
                @if r.unplaced.is_empty() {
                    p.empty { "Every child is placed." }
                } @else {
                    p.empty.none-shown hidden { "No child not placed matches the filter." }
                    div.cards data-sortable {
                        @for u in &r.unplaced { (unplaced_card(u, ctx)) }
                    }
                }
            }
            section aria-labelledby="h-placed" {
                h2 #h-placed { "Placements (" (r.placements.len()) ")" }
                @if r.placements.is_empty() {
                    p.empty { "No child could be placed." }
                } @else {
                    p.empty.none-shown hidden { "No placement matches the filter." }
                    div.cards data-sortable {
                        @for p in &r.placements { (placement_card(p, ctx)) }
                    }
                }
            }
        }
        footer {
            h2 { "About this report" }
            p {
                "Made by placematch " (env!("CARGO_PKG_VERSION")) " from a " code { (r.format) } " file. "
                "Self-contained: everything is inside this one file and nothing is loaded from the network. "
                "Costs and regrets are scores in pounds-equivalent per week (money plus the weighted terms, not spend); prices are spend. The regret of an alternative is how much the whole batch's cost "
                "would rise if the child went there instead, everyone else re-optimised."
                @if r.placements.iter().any(|p| p.alternatives.iter().any(|a| !a.regret_exact))
                    || r.unplaced.iter().any(|u| u.competition.iter().any(|c| !c.regret_exact)) {
                    " Regrets marked ≤ are upper bounds: the time limit or the requested gap stopped the search "
                    "before the batch could be re-optimised around them, so they are the cost of the best "
                    "placement found with the child there (often everyone else left where they are)."
                }
            }
            table {
                caption { "Model" }
                tbody {
                    tr { th scope="row" { "Variables" } td.n { (r.model.variables) } }
                    tr { th scope="row" { "Constraints" } td.n { (r.model.constraints) } }
                    tr { th scope="row" { "Eligible pairs" } td.n { (r.model.eligible_pairs) } }
                    tr { th scope="row" { "Components" } td.n { (r.model.components) } }
                    tr { th scope="row" { "Placement units" } td.n { (r.model.units) } }
                    tr { th scope="row" { "Solve time" } td.n { (format!("{:.2} s", r.solve_seconds)) } }
                }
            }
        }
    };
    super::page::document(&title, body)
}

/// What changed since the earlier result (`solve --since`): one row per child, with why.
fn changes_section(r: &MatchResult, since: &str) -> Markup {
    let kind = |k: crate::result::changes::ChangeKind| {
        serde_json::to_value(k)
            .ok()
            .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
            .unwrap_or_default()
    };
    html! {
        section aria-labelledby="h-changes" {
            h2 #h-changes { "Changes since " (since) " (" (r.changes.len()) ")" }
            @if r.changes.is_empty() {
                p.empty { "No child's placement changed." }
            } @else {
                table.changes {
                    thead { tr { th scope="col" { "Child" } th scope="col" { "What" } th scope="col" { "From" } th scope="col" { "To" } th scope="col" { "Why" } } }
                    tbody {
                        @for c in &r.changes {
                            tr {
                                th scope="row" { (c.child) }
                                td { (kind(c.kind)) }
                                td { (c.from_home.as_deref().unwrap_or("—")) }
                                td { (c.to_home.as_deref().unwrap_or("—")) }
                                td { (c.why) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn status_words(r: &MatchResult) -> String {
    match r.status {
        Status::Optimal if r.gap <= 0.0 => "proven optimal".to_string(),
        Status::Optimal => format!("optimal to within {:.2}%", 100.0 * r.gap),
        Status::Feasible => format!(
            "best found before the time limit, within {:.2}% of the best possible",
            100.0 * r.gap
        ),
    }
}

fn summary(r: &MatchResult) -> Markup {
    let s = &r.summary;
    let total = s.placed + s.unplaced;
    let tile = |label: &str, value: Markup| html! { div.tile { dt { (label) } dd { (value) } } };
    html! {
        dl.tiles {
            (tile("Placed", html! { (s.placed) " " small { "of " (total) } }))
            (tile("Not placed", html! { (s.unplaced) }))
            (tile("Net weekly spend", html! { (pounds(s.net_weekly_spend)) " " small { "list " (pounds(s.weekly_spend)) } }))
            (tile("Objective (score)", html! { (score(r.objective)) " " small { "a week, £-equivalent, not spend" } }))
            (tile("Status", html! { (match r.status { Status::Optimal => "optimal", Status::Feasible => "feasible" }) " " small { "gap " (format!("{:.2}%", 100.0 * r.gap)) } }))
            (tile("Distance from home", html! { (format!("{:.1}", s.mean_km)) " km " small { "mean; max " (format!("{:.0}", s.max_km)) " km" } }))
            (tile("Within 20 miles", html! { (percent(s.share_within_32km)) }))
            (tile("In own authority", html! { (percent(s.share_in_area)) }))
            (tile("Good or Outstanding", html! { (percent(s.share_good_or_outstanding)) }))
            (tile("Block beds used", html! { (s.block_beds_used) }))
            (tile("Unmet need", html! { (s.total_unmet_need) " " small { "levels in total" } }))
        }
    }
}

fn trips(r: &MatchResult, ctx: &BatchContext) -> Vec<Trip> {
    let mut out = Vec::new();
    for p in &r.placements {
        let (Some(c), Some(h)) = (ctx.children.get(&p.child), ctx.homes.get(&p.home)) else {
            continue;
        };
        out.push(Trip {
            child: p.child.clone(),
            urgency: p.urgency.name(),
            la: c.la.clone(),
            from: (c.lat, c.lon),
            to: Some((h.lat, h.lon)),
            cost: p.cost.total,
            title: format!(
                "{} ({}) → {}: price {} a week, cost score {}, {:.1} km",
                p.child,
                p.urgency.name(),
                ctx.home_label(&p.home),
                pounds(p.cost.terms.price),
                score(p.cost.total),
                p.distance_km
            ),
        });
    }
    for u in &r.unplaced {
        if let Some(c) = ctx.children.get(&u.child) {
            out.push(Trip {
                child: u.child.clone(),
                urgency: u.urgency.name(),
                la: c.la.clone(),
                from: (c.lat, c.lon),
                to: None,
                cost: 0.0,
                title: format!("{} ({}): not placed", u.child, u.urgency.name()),
            });
        }
    }
    out
}

fn urgency_badge(u: crate::input::batch::Urgency) -> Markup {
    html! { span class=(format!("u u-{}", u.name())) { (u.name()) } }
}

/// One row per child: the at-a-glance answer.
fn glance(r: &MatchResult, ctx: Option<&BatchContext>) -> Markup {
    html! {
        table.glance {
            caption { "Every child, with the chosen home, its cost and the next best home. Follow a child's id to their card." }
            thead {
                tr {
                    th scope="col" { "Child" }
                    th scope="col" { "Urgency" }
                    @if ctx.is_some() { th scope="col" { "Authority" } }
                    th scope="col" { "Home" }
                    th scope="col" { "Provider" }
                    th.n scope="col" { "km" }
                    th.n scope="col" { "Price £/week" }
                    th scope="col" { "Next best (regret, score)" }
                }
            }
            tbody data-sortable {
                @for p in &r.placements {
                    @let la = la_of(ctx, &p.child);
                    tr data-id=(p.child) data-u=(p.urgency.name()) data-la=(la.code) data-lan=(la.name) data-cost=(format!("{:.2}", p.cost.total)) data-km=(format!("{:.1}", p.distance_km)) {
                        th scope="row" { a href=(format!("#c-{}", p.child)) { (p.child) } }
                        td { (urgency_badge(p.urgency)) }
                        @if ctx.is_some() { td { (la.name) } }
                        td { (home_label(ctx, &p.home)) }
                        td { (ctx.map_or_else(|| p.provider.clone(), |c| c.provider_label(&p.provider))) }
                        td.n { (format!("{:.1}", p.distance_km)) }
                        td.n { (pounds(p.cost.terms.price)) }
                        td {
                            @match p.alternatives.first() {
                                Some(a) => { (a.home) " (" (regret_text(a)) ")" }
                                None => span.empty { "—" }
                            }
                        }
                    }
                }
                @for u in &r.unplaced {
                    @let la = la_of(ctx, &u.child);
                    tr data-id=(u.child) data-u=(u.urgency.name()) data-la=(la.code) data-lan=(la.name) {
                        th scope="row" { a href=(format!("#c-{}", u.child)) { (u.child) } }
                        td { (urgency_badge(u.urgency)) }
                        @if ctx.is_some() { td { (la.name) } }
                        td colspan="5" { strong { "Not placed" } " — " (u.eligible_homes) " eligible home(s)" }
                    }
                }
            }
        }
    }
}

fn card_heading(child: &str, u: crate::input::batch::Urgency, la: &La) -> Markup {
    html! {
        h3 { span { (child) } (urgency_badge(u)) @if !la.name.is_empty() { span.la { (la.name) } } }
    }
}

fn placement_card(p: &Placement, ctx: Option<&BatchContext>) -> Markup {
    let la = la_of(ctx, &p.child);
    let terms = p.cost.terms.values();
    let kind = ctx.and_then(|c| c.homes.get(&p.home)).map(|h| h.kind);
    html! {
        article.card #(format!("c-{}", p.child)) data-id=(p.child) data-u=(p.urgency.name()) data-la=(la.code) data-lan=(la.name) data-cost=(format!("{:.2}", p.cost.total)) data-km=(format!("{:.1}", p.distance_km)) {
            (card_heading(&p.child, p.urgency, &la))
            p {
                "To " strong { (home_label(ctx, &p.home)) }
                @if let Some(k) = kind { ", " (k.replace('_', " ")) }
                ", run by " (ctx.map_or_else(|| p.provider.clone(), |c| c.provider_label(&p.provider)))
                " — " (format!("{:.1}", p.distance_km)) " km from home."
            }
            p.cost {
                "Price " strong { (pounds(p.cost.terms.price)) } " a week (spend); cost score " (score(p.cost.total)) " a week with distance, area, quality and needs weighed in"
                @if p.block_bed { "; a block-contract bed already paid for" }
                @if p.discount > 0.0 { "; volume discount " (pounds(p.discount)) " a week" }
                @if !p.placed_with.is_empty() { "; placed with " (p.placed_with.join(", ")) }
                "."
            }
            table {
                caption { "Cost score by term, a week (the price is spend in £, the rest scores; zero terms left out)" }
                thead { tr {
                    @for (i, name) in TERM_NAMES.iter().enumerate() { @if terms[i] != 0.0 { th.n scope="col" { (name.replace('_', " ")) } } }
                    th.n scope="col" { "total" }
                } }
                tbody { tr {
                    @for (i, t) in terms.iter().enumerate() { @if *t != 0.0 { td.n { (term_text(i, *t, false)) } } }
                    td.n { strong { (score(p.cost.total)) } }
                } }
            }
            @if p.alternatives.is_empty() {
                p.empty { "No other eligible home." }
            } @else {
                h4 { "Alternatives, by regret" }
                table {
                    thead { tr {
                        th scope="col" { "#" }
                        th scope="col" { "Home" }
                        th.n scope="col" { "Regret (score)" }
                        th.n scope="col" { "Price £/week" }
                        th.n scope="col" { "Cost score/week" }
                        th.n scope="col" { "km" }
                        th scope="col" { "Why not" }
                    } }
                    tbody {
                        @for (i, a) in p.alternatives.iter().enumerate() {
                            tr {
                                td.n { span class=(format!("sw a{}", i % ALT_COLOURS)) {} (i + 1) }
                                td { (home_label(ctx, &a.home)) }
                                td.n { (regret_text(a)) }
                                td.n { (pounds(a.cost.terms.price)) }
                                td.n { (score(a.cost.total)) }
                                td.n { (format!("{:.1}", a.distance_km)) }
                                td { (a.why) }
                            }
                        }
                    }
                }
                (difference_chart(&p.child, &p.alternatives))
            }
        }
    }
}

/// A diverging bar chart of each alternative's cost terms minus the chosen home's:
/// one row per term that differs, one bar per alternative, right = dearer.
fn difference_chart(child: &str, alts: &[Alternative]) -> Markup {
    let rows: Vec<usize> = (0..TERM_NAMES.len())
        .filter(|&i| alts.iter().any(|a| a.difference.values()[i].abs() >= 0.5))
        .collect();
    if rows.is_empty() {
        return html! { p.empty { "Every alternative costs the same as the chosen home, term by term." } };
    }
    let m = alts
        .iter()
        .flat_map(|a| rows.iter().map(move |&i| a.difference.values()[i].abs()))
        .fold(0.0, f64::max);
    let (label_w, half, bar_h, gap) = (96.0, 150.0, 9.0, 8.0);
    let zero = label_w + 50.0 + half;
    let row_h = alts.len() as f64 * (bar_h + 2.0) + gap;
    let height = 14.0 + rows.len() as f64 * row_h + 4.0;
    let width = zero + half + 50.0;
    html! {
        svg width=(width) height=(f1(height)) viewBox=(format!("0 0 {width} {}", f1(height))) role="img" aria-label=(format!("{child}: each alternative's cost terms minus the chosen home's, a week (price in £ of spend, the rest in score); right is dearer")) {
            text x=(zero - 4.0) y="9" text-anchor="end" { "← cheaper" }
            text x=(zero + 4.0) y="9" { "dearer →" }
            @for (r, &i) in rows.iter().enumerate() {
                @let y0 = 14.0 + r as f64 * row_h;
                text x="0" y=(f1(y0 + (row_h - gap) / 2.0 + 3.5)) class="lbl" { (TERM_NAMES[i].replace('_', " ")) }
                @for (j, a) in alts.iter().enumerate() {
                    @let d = a.difference.values()[i];
                    @let len = if m > 0.0 { d.abs() / m * half } else { 0.0 };
                    @let y = y0 + j as f64 * (bar_h + 2.0);
                    @let x = if d < 0.0 { zero - len } else { zero };
                    rect class=(format!("a{}", j % ALT_COLOURS)) x=(f1(x)) y=(f1(y)) width=(f1(len.max(0.5))) height=(bar_h) {
                        title { (format!("#{} {}: {} {}", j + 1, a.home, TERM_NAMES[i].replace('_', " "), term_text(i, d, true))) }
                    }
                    @if d.abs() >= 0.5 {
                        @let (tx, anchor) = if d < 0.0 { (zero - len - 3.0, "end") } else { (zero + len + 3.0, "start") };
                        text x=(f1(tx)) y=(f1(y + bar_h - 1.0)) text-anchor=(anchor) { (term_text(i, d, true)) }
                    }
                }
            }
            line x1=(zero) x2=(zero) y1="12" y2=(f1(height - 2.0)) stroke="#1b2230" {}
        }
    }
}

fn unplaced_card(u: &Unplaced, ctx: Option<&BatchContext>) -> Markup {
    let la = la_of(ctx, &u.child);
    let most = ctx
        .map(|c| c.home_count)
        .unwrap_or_else(|| u.excluded.iter().map(|e| e.homes).max().unwrap_or(0))
        .max(1);
    html! {
        article.card.unplaced #(format!("c-{}", u.child)) data-id=(u.child) data-u=(u.urgency.name()) data-la=(la.code) data-lan=(la.name) data-cost=(format!("{:.2}", u.unplaced_cost)) {
            (card_heading(&u.child, u.urgency, &la))
            p.why { (u.why) }
            p {
                (u.eligible_homes) " eligible home(s); leaving the child unplaced counts as "
                (score(u.unplaced_cost)) " a week in the objective (score)."
                @if let Some(b) = u.blocked {
                    " The sibling group can never be placed together: "
                    (match b { crate::pair::eligibility::UnitBlock::SiblingsConflict => "its members conflict with each other", crate::pair::eligibility::UnitBlock::SiblingNeedsSolo => "one of them must live alone" })
                    "."
                }
            }
            @if !u.excluded.is_empty() {
                table {
                    caption { "Homes excluded, per rule (a home failing several rules counts under each)" }
                    thead { tr { th scope="col" { "Rule" } th scope="col" { "Homes excluded" } th scope="col" { "For example" } } }
                    tbody {
                        @for e in &u.excluded {
                            tr {
                                td { code { (e.reason) } }
                                td.bar { span style=(format!("width:{}px", f1(100.0 * e.homes as f64 / most as f64))) {} (e.homes) }
                                td { (e.examples.join(", ")) }
                            }
                        }
                    }
                }
            }
            @if !u.relaxations.is_empty() {
                h4 { "Relaxations that would help" }
                table {
                    thead { tr { th scope="col" { "Relax" } th.n scope="col" { "Homes opened" } th scope="col" { "Detail" } th scope="col" { "Nearest" } } }
                    tbody {
                        @for x in &u.relaxations {
                            tr {
                                td { code { (x.rule) } }
                                td.n { (x.homes) }
                                td { (x.detail) }
                                td { (x.examples.iter().map(|h| home_label(ctx, h)).collect::<Vec<_>>().join(", ")) }
                            }
                        }
                    }
                }
            }
            @if !u.competition.is_empty() {
                h4 { "Eligible homes that went to others" }
                table {
                    thead { tr { th scope="col" { "Home" } th scope="col" { "Taken by" } th.n scope="col" { "Regret" } th scope="col" { "Why" } } }
                    tbody {
                        @for c in &u.competition {
                            tr {
                                td { (home_label(ctx, &c.home)) }
                                td { (c.taken_by.join(", ")) }
                                td.n { @match c.regret { Some(x) => (bounded_score(x, c.regret_exact)), None => "—" } }
                                td { (c.why) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One cost term's amount (with its sign when `signed`, for a difference): the price (term
/// 0) is spend, in £; the rest are scores.
fn term_text(term: usize, x: f64, signed: bool) -> String {
    match (term == 0, signed) {
        (true, false) => pounds(x),
        (true, true) => signed_pounds(x),
        (false, false) => score(x),
        (false, true) => signed_score(x),
    }
}

/// An alternative's regret, "≤ " first when it is only an upper bound (`regret_exact: false`).
fn regret_text(a: &Alternative) -> String {
    bounded_score(a.regret, a.regret_exact)
}

/// A regret (a score), "≤ " first when it is only an upper bound.
fn bounded_score(regret: f64, exact: bool) -> String {
    if exact {
        signed_score(regret)
    } else {
        format!("≤ {}", signed_score(regret))
    }
}
