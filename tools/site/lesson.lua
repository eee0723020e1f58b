-- lesson.lua — pandoc filter for the lessons (site and EPUB):
--  * links to other lessons (NN_name.md) point to their pages (NN_name.html)
--  * {.c .run} programs, their ```output, and excerpts from="FILE" get a caption
--    saying what make test checks about them
--  * images under charts/ are marked as charts (the browser check counts them)
local function caption(text, cls)
  return pandoc.Div({ pandoc.Para({ pandoc.Str(text) }) }, pandoc.Attr("", { "code-caption", cls }))
end

-- In the EPUB every lesson is a chapter of one book: a link to another lesson
-- goes to its title's identifier (pandoc then points it at the chapter's
-- file); on the site, to its page. The titles say "Step 07a — ...".
local chapter = {}
local is_epub = FORMAT:match("epub") ~= nil

local function collect(el)
  if el.level == 1 then
    local step = pandoc.utils.stringify(el.content):match("^Step (%w+)")
    if step then chapter[step] = el.identifier end
  end
end

local function Link(el)
  local t = el.target
  local base, frag = t:match("^([%w_%-]+)%.md(#?.*)$")
  if not base then return el end
  local step = base:match("^(%w+)_")
  if is_epub and step and chapter[step] then
    el.target = frag ~= "" and frag or ("#" .. chapter[step])
  else
    el.target = base .. ".html" .. frag
  end
  return el
end

local function Image(el)
  if el.src:match("^charts/") then
    el.classes:insert("chart")
  end
  return el
end

local function CodeBlock(el)
  if el.classes:includes("run") then
    return pandoc.Div({ caption("A whole program. make test compiles it, runs it and checks that it prints what is shown below.", "run"), el },
      pandoc.Attr("", { "code", "run" }))
  elseif el.classes:includes("output") then
    return pandoc.Div({ caption("What it prints (pids and references vary from run to run):", "output"), el },
      pandoc.Attr("", { "code", "output" }))
  elseif el.attributes["from"] then
    local from = el.attributes["from"]
    return pandoc.Div({ caption("From " .. from .. " (make test checks that it still is).", "from"), el },
      pandoc.Attr("", { "code", "from" }))
  end
  return el
end

return {
  { Header = collect },
  { Link = Link, Image = Image, CodeBlock = CodeBlock },
}
