/**
 * The UI's own stylesheet and script, served from `/ui/` with the vendored htmx (no CDN, no
 * inline script or style: the Content-Security-Policy forbids them). Status colours always
 * come with a distinct symbol and the status word, so they read without colour.
 */
export const STYLE = `
:root{--fg:#1d2228;--muted:#5b6570;--bg:#fbfbfc;--panel:#fff;--line:#dde1e6;--accent:#1f5fbf;
--ok:#16794a;--bad:#b3261e;--warn:#8a5a00;--run:#1f5fbf;--skip:#6b5b95;font-size:15px}
*{box-sizing:border-box}body{margin:0;font:1rem/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--accent)}a:focus,button:focus,input:focus,select:focus{outline:3px solid #f0b400;outline-offset:1px}
header{display:flex;gap:1rem;align-items:center;flex-wrap:wrap;padding:.6rem 1rem;background:#17202b;color:#fff}
header a{color:#fff;text-decoration:none;padding:.2rem .4rem;border-radius:4px}header a[aria-current=page]{background:#34465c}
header .who{margin-left:auto;font-size:.9rem;color:#cfd6de}header form{display:inline}
main{max-width:1200px;margin:0 auto;padding:1rem}h1{font-size:1.4rem;margin:.2rem 0 1rem}h2{font-size:1.1rem;margin:1.4rem 0 .5rem}
table{border-collapse:collapse;width:100%;background:var(--panel);border:1px solid var(--line)}
th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}th{font-size:.85rem;color:var(--muted);font-weight:600}
.table-wrap{overflow-x:auto}code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.88rem}
.status{display:inline-flex;gap:.3rem;align-items:center;font-weight:600;white-space:nowrap}
.s-succeeded,.s-up{color:var(--ok)}.s-failed,.s-timed_out,.s-aborted,.s-interrupted,.s-down{color:var(--bad)}
.s-running{color:var(--run)}.s-skipped,.s-missed{color:var(--skip)}.s-warn,.s-stdby{color:var(--warn)}.s-n\\/a{color:var(--muted)}
.muted{color:var(--muted)}.small{font-size:.85rem}.rel{color:var(--muted);font-size:.85rem;margin-left:.3rem}
form.inline{display:inline}button,.button{font:inherit;padding:.3rem .7rem;border:1px solid #9aa5b1;border-radius:4px;background:#fff;cursor:pointer}
button.primary{background:var(--accent);color:#fff;border-color:var(--accent)}button.danger{color:var(--bad);border-color:var(--bad)}
input,select{font:inherit;padding:.3rem .4rem;border:1px solid #9aa5b1;border-radius:4px;max-width:100%}
.filters{display:flex;flex-wrap:wrap;gap:.6rem;align-items:end;margin-bottom:.8rem}.filters label{display:flex;flex-direction:column;font-size:.85rem;color:var(--muted)}
.log{height:60vh;overflow:auto;background:#0f151b;color:#e6edf3;padding:.6rem;margin:0;white-space:pre-wrap;word-break:break-all;border-radius:4px}
.card{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:.8rem 1rem;margin-bottom:1rem}
dl.record{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}dl.record dt{color:var(--muted)}dl.record dd{margin:0}
.notice{padding:.6rem .8rem;border-radius:4px;margin-bottom:1rem;border:1px solid}.notice.error{border-color:var(--bad);color:var(--bad);background:#fdf0ef}.notice.ok{border-color:var(--ok);color:var(--ok);background:#eef8f2}
.key{word-break:break-all;font-weight:700;background:#fff8d6;padding:.4rem;border:1px dashed var(--warn)}
.login{max-width:28rem;margin:4rem auto}.login input{width:100%}
svg.chart{width:100%;max-width:640px;height:auto;background:var(--panel);border:1px solid var(--line)}svg.chart .bar{fill:#7aa5e6}svg.chart .fail{fill:var(--bad)}svg.chart text{font-size:10px;fill:var(--muted)}
.pager{display:flex;gap:1rem;margin-top:.8rem}
@media (max-width:700px){th.wide,td.wide{display:none}header{gap:.4rem}main{padding:.6rem}}
`;

/**
 * The page's script: relative times ("in 3 min") kept current; a run's output followed live:
 * an EventSource on the page's `data-live` URL, its chunks appended as text nodes (never
 * parsed as HTML) once per animation frame, the page kept scrolled to the end while the
 * reader is there, and at most LOG_MAX characters kept in the page (the oldest text goes first:
 * the whole output stays at the API's log URL); the final status set when the run ends.
 */
export const SCRIPT = `
(function(){
function rel(ms){var s=Math.round(ms/1000),a=Math.abs(s);if(a<2)return "now";var u=a<60?[a,"s"]:a<3600?[Math.round(a/60),"min"]:a<86400?[Math.round(a/3600),"h"]:[Math.round(a/86400),"d"];return s>=0?"in "+u[0]+" "+u[1]:u[0]+" "+u[1]+" ago";}
function tick(){document.querySelectorAll("time[data-rel]").forEach(function(t){var n=t.nextElementSibling;if(n&&n.classList.contains("rel"))n.textContent="("+rel(Date.parse(t.getAttribute("datetime"))-Date.now())+")";});}
setInterval(tick,15000);
var LOG_MAX=2000000;
function follow(log){
  var pending=[],queued=false,kept=log.textContent.length,es=new EventSource(log.dataset.live);
  function flush(){
    queued=false;if(pending.length===0)return;
    var stick=log.scrollHeight-log.scrollTop-log.clientHeight<40,text=pending.join("");pending=[];
    log.appendChild(document.createTextNode(text));kept+=text.length;
    while(kept>LOG_MAX&&log.firstChild&&log.firstChild!==log.lastChild){kept-=log.firstChild.textContent.length;log.removeChild(log.firstChild);}
    if(stick)log.scrollTop=log.scrollHeight;
  }
  es.addEventListener("output",function(e){pending.push(e.data);if(!queued){queued=true;requestAnimationFrame(flush);}});
  es.addEventListener("end",function(e){es.close();flush();var st=JSON.parse(e.data),el=document.getElementById("run-status");
    if(el){el.textContent="";var b=document.createElement("span");b.className="status s-"+st.status;var sym=document.createElement("span");sym.setAttribute("aria-hidden","true");sym.textContent=st.symbol;b.appendChild(sym);b.appendChild(document.createTextNode(st.status.replace("_"," ")));el.appendChild(b);}});
}
document.addEventListener("DOMContentLoaded",function(){var log=document.getElementById("log");if(log&&log.dataset.live)follow(log);});
})();
`;
