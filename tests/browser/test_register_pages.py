"""The administrator keeps a register (花名册) in Chromium: an .xlsx import with a bad row is refused row by row
and imports nothing; the corrected file becomes the register, shown with masked phones."""

from openpyxl import Workbook
from playwright.sync_api import Page, expect

from test_need_pages import sign_in


def register_file(path, rows) -> str:
    book = Workbook()
    book.active.append(["姓名", "网格", "电话", "身份/所属组织", "状态", "入册日期"])
    for row in rows:
        book.active.append(row)
    book.save(path)
    return str(path)


def test_an_admin_imports_a_register_from_xlsx(page: Page, tmp_path):
    sign_in(page, "admin")
    page.goto("/admin/registers")
    page.locator('[data-register="nanshan:representatives"] a').click()
    expect(page.get_by_role("heading", level=1)).to_have_text("南山社区 · 居民代表花名册")
    expect(page.locator("[data-figures]")).to_contain_text("在册 30 人")
    bad = register_file(tmp_path / "bad.xlsx", [["周明", "南山第1网格", "13905350001", "居民代表", "在册", "2024-03-01"],
                                                ["吴敏", "南山第1网格", "139-0535", "居民代表", "退休", "2024-03-01"]])
    page.get_by_label("花名册文件（Excel 表格）").set_input_files(bad)
    page.get_by_role("button", name="导入", exact=True).click()
    problems = page.locator("#import-problems")
    expect(problems).to_contain_text("未导入任何内容")
    expect(problems.locator("tbody tr")).to_have_count(2)
    expect(problems).to_contain_text("第 3 行")
    expect(problems).to_contain_text("电话号码格式不对")
    expect(problems).to_contain_text("状态须为 在册、请假、流动、出国、其他 之一")
    expect(page.locator("[data-figures]")).to_contain_text("在册 30 人")  # nothing imported
    good = register_file(tmp_path / "good.xlsx", [["周明", "南山第1网格", "13905350001", "居民代表", "在册", "2024-03-01"],
                                                  ["吴敏", "第2网格", "13905350002", "居民代表", "请假", "2024年3月1日"]])
    page.get_by_label("花名册文件（Excel 表格）").set_input_files(good)
    page.get_by_role("button", name="导入", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("新增 2 人")
    expect(page.locator("[data-figures]")).to_contain_text("在册 2 人")
    members = page.locator("#register-members tbody")
    expect(members).to_contain_text("周明")
    expect(members).to_contain_text("南山第2网格")
    expect(members).to_contain_text("139****0002")
    expect(members).not_to_contain_text("13905350002")
    expect(members).to_contain_text("2024年3月1日")
