// Renders Markdown documents with marp-core as marp-cli does by default (marp-core's own defaults:
// the raw-HTML allowlist, `breaks`, linkify, emoji, math). The inline SVG wrapping and the browser
// script are off: they sit outside the slides' content that is compared.
// stdin: a JSON array of Markdown strings; stdout: a JSON array holding, per document, the HTML of
// each slide (the <section> elements, without inline SVG).
// Usage: NODE_PATH=<node_modules holding @marp-team/marp-core> node render_marp.js
'use strict'
const { Marp } = require('@marp-team/marp-core')

let input = ''
process.stdin.setEncoding('utf8')
process.stdin.on('data', (chunk) => { input += chunk })
process.stdin.on('end', () => {
  const marp = new Marp({ inlineSVG: false, script: false })
  const out = JSON.parse(input).map((markdown) => {
    try {
      return marp.render(markdown, { htmlAsArray: true }).html
    } catch (e) {
      return { error: String(e) }
    }
  })
  process.stdout.write(JSON.stringify(out))
})
