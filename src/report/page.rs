//! The page shell every report shares: the Content-Security-Policy, the style sheet
//! (screen and A4 print) and the sort/filter script.

use maud::{html, Markup, PreEscaped, DOCTYPE};

/// Nothing may be loaded: no scripts, styles, fonts, images or connections from anywhere
/// but the page itself (`data:` only for the empty favicon, which stops a browser asking
/// for `/favicon.ico`).
pub(super) const CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/// A whole HTML document around `body`.
pub(super) fn document(title: &str, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="en-GB" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content=(CSP);
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                meta name="generator" content=(concat!("placematch ", env!("CARGO_PKG_VERSION")));
                link rel="icon" href="data:,";
                title { (title) }
                style { (PreEscaped(CSS)) }
            }
            body {
                (body)
                script { (PreEscaped(SCRIPT)) }
            }
        }
    }
    .into_string()
}

const CSS: &str = r#"
:root{--ink:#1b2230;--muted:#5a6372;--line:#d9dee6;--bg:#f5f6f8;--card:#fff;--accent:#0a58a8}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:var(--bg)}
header,main,footer{max-width:1260px;margin:0 auto;padding:0 20px}
header{padding-top:22px}
h1{font-size:26px;margin:0 0 2px}
h2{font-size:20px;margin:28px 0 10px;padding-bottom:4px;border-bottom:2px solid var(--ink)}
h3{font-size:16px;margin:0 0 6px;display:flex;gap:8px;align-items:baseline;flex-wrap:wrap}
h4{font-size:13px;margin:10px 0 4px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
p{margin:4px 0}
a{color:var(--accent)}
.sub{color:var(--muted);margin:0 0 12px}
.note{background:#fff8e1;border-left:4px solid #b8860b;padding:8px 12px;margin:10px 0}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(175px,1fr));gap:10px;margin:0}
.tile{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:9px 12px}
.tile dt{font-size:11.5px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.tile dd{margin:2px 0 0;font-size:22px;font-weight:650;font-variant-numeric:tabular-nums}
.tile dd small{font-size:13px;font-weight:400;color:var(--muted)}
.maps{display:flex;gap:14px;flex-wrap:wrap;align-items:flex-start;margin:0}
.maps svg{background:var(--card);border:1px solid var(--line);border-radius:8px;height:auto;max-width:100%}
figure{margin:0}
figcaption{font-size:13px;color:var(--muted);margin-top:6px;max-width:980px}
.legend{display:flex;gap:18px;flex-wrap:wrap;align-items:center;font-size:13px}
.controls{position:sticky;top:0;z-index:2;background:var(--bg);display:flex;gap:18px;flex-wrap:wrap;align-items:center;padding:10px 0;margin-top:18px;border-bottom:1px solid var(--line)}
.controls label{font-size:14px;font-weight:600}
.controls select{font:inherit;font-weight:400;margin-left:6px;padding:2px 4px}
.controls output{color:var(--muted);font-size:14px}
table{border-collapse:collapse;width:100%;font-size:13.5px;background:var(--card)}
caption{text-align:left;font-size:13px;color:var(--muted);padding:2px 0}
th,td{text-align:left;padding:4px 7px;border-bottom:1px solid var(--line);vertical-align:top}
thead th{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.03em;border-bottom:2px solid var(--line)}
.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.glance{border:1px solid var(--line)}
.glance tbody tr:hover{background:#eef3fa}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(580px,1fr));gap:12px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 16px;break-inside:avoid}
/* A thousand cards: the browser lays out only those near the screen, so big batches open fast. */
.card{content-visibility:auto;contain-intrinsic-size:auto 460px}
.card.unplaced{border-left:5px solid #d55e00}
.card table{font-size:13px}
.la{color:var(--muted);font-size:13.5px;font-weight:400}
.u{display:inline-block;font-size:10.5px;padding:1px 7px;border-radius:9px;font-weight:700;text-transform:uppercase;letter-spacing:.05em;border:1px solid var(--ink)}
.u-emergency{background:var(--ink);color:#fff}
.u-urgent{background:#f3c677}
.u-planned{background:#fff}
.cost{font-size:15px}
.why{font-style:italic}
.sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.a0{fill:#0072b2;background:#0072b2}.a1{fill:#e69f00;background:#e69f00}.a2{fill:#009e73;background:#009e73}.a3{fill:#cc79a7;background:#cc79a7}.a4{fill:#56b4e9;background:#56b4e9}.a5{fill:#d55e00;background:#d55e00}.a6{fill:#1b2230;background:#1b2230}.a7{fill:#a6761d;background:#a6761d}
td small,th small{display:block;color:var(--muted);font-size:11px;white-space:nowrap}
.bar{position:relative;min-width:120px}
.bar span{display:inline-block;height:9px;background:#5a6372;border-radius:2px;margin-right:6px;vertical-align:0}
.empty{color:var(--muted)}
th button{font:inherit;color:inherit;text-transform:inherit;letter-spacing:inherit;background:none;border:0;padding:0;cursor:pointer;text-align:inherit}
th[aria-sort=ascending] button::after{content:" ▲"}
th[aria-sort=descending] button::after{content:" ▼"}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(480px,1fr));gap:14px}
.charts figure{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 14px;break-inside:avoid}
.charts svg{max-width:100%;height:auto}
.scroll{overflow-x:auto}
/* Sixteen columns at 1,280 px: headings wrap, figures stay on one line, long batch names break. */
.wide{font-size:12.5px}
.wide thead th{font-size:10.5px;white-space:normal;vertical-align:bottom;letter-spacing:0}
.wide td.batch{overflow-wrap:anywhere;min-width:9em}
svg text{font:10px system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;fill:#1b2230}
svg .lbl{font-size:11px}
svg .place{font-size:10.5px;fill:#7a8393;font-style:italic}
.off{display:none}
[hidden]{display:none!important}
footer{color:var(--muted);font-size:13px;padding:24px 20px 40px}
footer table{width:auto;font-size:12.5px}
@media print{
@page{size:A4;margin:12mm}
body{background:#fff;font-size:10pt}
header,main,footer{max-width:none;padding:0}
.controls{display:none}
.charts{display:block}
.charts figure{margin:0 0 8px;page-break-inside:avoid}
th button::after{content:""!important}
.cards{display:block}
.card{margin:0 0 8px;border-color:#999;page-break-inside:avoid;content-visibility:visible}
.maps svg{max-height:125mm;width:auto}
h2{break-after:avoid}
a{color:inherit;text-decoration:none}
.glance tbody tr:hover{background:none}
}
"#;

/// Sorting and filtering without a server. Items carry `data-id`, `data-u` (urgency),
/// `data-la` (authority code), `data-lan` (its name), `data-cost` and `data-km`;
/// containers marked `data-sortable` are re-ordered, map features marked `data-child`
/// hidden with their child. With scripts off every item shows, in urgency then id order.
const SCRIPT: &str = r#"
(function(){
  "use strict";
  var fla=document.getElementById("f-la"),fu=document.getElementById("f-u"),so=document.getElementById("f-sort"),out=document.getElementById("f-shown");
  if(!fu||!so)return;
  var U={emergency:0,urgent:1,planned:2};
  function key(e,k){var d=e.dataset;
    if(k==="cost")return -parseFloat(d.cost||"-1");
    if(k==="km")return -parseFloat(d.km||"-1");
    if(k==="la")return d.lan||"";
    if(k==="id")return "";
    return U[d.u];}
  function cmp(k){return function(a,b){var x=key(a,k),y=key(b,k);
    if(x<y)return -1;if(x>y)return 1;
    var i=a.dataset.id,j=b.dataset.id;return i<j?-1:i>j?1:0;};}
  function keep(d){var la=fla?fla.value:"",u=fu.value;return (!la||d.la===la)&&(!u||d.u===u);}
  function apply(){
    var k=so.value,shown={};
    Array.prototype.forEach.call(document.querySelectorAll("[data-sortable]"),function(box){
      var items=Array.prototype.filter.call(box.children,function(e){return e.dataset.id!==undefined;});
      var sorted=items.slice().sort(cmp(k));
      // Move nodes only when the order changes: re-inserting a thousand cards is slow.
      if(sorted.some(function(e,i){return e!==items[i];}))sorted.forEach(function(e){box.appendChild(e);});
      sorted.forEach(function(e){var ok=keep(e.dataset);if(e.hidden===ok)e.hidden=!ok;if(ok)shown[e.dataset.id]=1;});
      var none=box.parentNode.querySelector(".none-shown");
      if(none)none.hidden=items.some(function(e){return !e.hidden;})||items.length===0;
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-child]"),function(g){
      var off=!keep(g.dataset);if(g.classList.contains("off")!==off)g.classList.toggle("off",off);});
    if(out){var n=Object.keys(shown).length,t=out.getAttribute("data-total");out.textContent=n+" of "+t+" children shown";}
  }
  [fla,fu,so].forEach(function(s){if(s)s.addEventListener("change",apply);});
  apply();
})();
(function(){
  "use strict";
  // Tables marked data-sort-table: a heading's button sorts the rows by that column's
  // data-v (numbers as numbers), again to reverse; aria-sort tells screen readers.
  Array.prototype.forEach.call(document.querySelectorAll("table[data-sort-table]"),function(t){
    var body=t.tBodies[0];
    Array.prototype.forEach.call(t.querySelectorAll("thead button[data-col]"),function(b){
      b.addEventListener("click",function(){
        var c=+b.dataset.col,th=b.parentNode,asc=th.getAttribute("aria-sort")!=="ascending";
        Array.prototype.forEach.call(t.querySelectorAll("thead th"),function(h){h.removeAttribute("aria-sort");});
        th.setAttribute("aria-sort",asc?"ascending":"descending");
        var rows=Array.prototype.slice.call(body.rows);
        rows.sort(function(x,y){var a=x.cells[c].dataset.v,z=y.cells[c].dataset.v,na=parseFloat(a),nz=parseFloat(z);
          var r=(!isNaN(na)&&!isNaN(nz))?na-nz:(a<z?-1:a>z?1:0);return asc?r:-r;});
        rows.forEach(function(r){body.appendChild(r);});
      });
    });
  });
})();
"#;
