"""In Debian's chromium: log in through the real page, see the region tree in Chinese, log out."""

import os
import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username, password="correct-horse-battery"):
    page.goto("/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    # Wait for the redirect: a click on the next page's menu must not land on the login page still shown.
    expect(page).not_to_have_url(re.compile(r"/login/"))


def test_county_admin_sees_the_towns_and_logs_out(page, county_admin):
    log_in(page, "admin")
    expect(page.get_by_test_id("home-region")).to_contain_text("金乡县")
    page.get_by_role("link", name="行政区划").first.click()
    tree = page.get_by_test_id("region-tree")
    expect(tree).to_contain_text("司马镇")
    expect(tree).to_contain_text("鸡黍镇")
    page.get_by_test_id("expand-370828107000").click()
    expect(page.locator("#children-370828107000")).to_contain_text("南徐庄村")
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url("/login/")
    page.goto("/regions/")
    expect(page).to_have_url("/login/?next=/regions/")


def test_wrong_password_is_told_in_chinese(page, sima_officer):
    # Not log_in(): it waits to leave the login page, which a refused password never does.
    page.goto("/login/")
    page.get_by_label("用户名").fill("sima")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("请输入一个正确的用户名和密码")


def test_town_officer_on_a_phone(phone_page, sima_officer):
    page = phone_page
    log_in(page, "sima")
    expect(page.get_by_test_id("home-region")).to_contain_text("司马镇")
    page.get_by_role("button", name="菜单").click()
    page.get_by_role("link", name="行政区划").click()
    expect(page.get_by_test_id("region-tree")).to_contain_text("南徐庄村")
    expect(page.get_by_test_id("region-tree")).not_to_contain_text("鸡黍镇")


@pytest.mark.parametrize("width", [1280, 390])
def test_changing_my_password_from_the_user_menu(browser, live_server, sima_officer, width):
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": width, "height": 844}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, "sima")
    page.get_by_test_id("change-password").click()
    expect(page.get_by_role("heading", name="修改密码")).to_be_visible()
    page.get_by_label("当前密码", exact=True).fill("correct-horse-battery")
    page.get_by_label("新密码", exact=True).fill("abcdefghijkl")
    page.get_by_label("再次输入新密码", exact=True).fill("abcdefghijkl")
    page.get_by_role("button", name="修改密码").click()
    expect(page.locator("#id_new_password-error")).to_contain_text("至少混用以下两类")
    page.get_by_label("当前密码", exact=True).fill("correct-horse-battery")
    page.get_by_label("新密码", exact=True).fill("Lantern-river-42")
    page.get_by_label("再次输入新密码", exact=True).fill("Lantern-river-42")
    page.get_by_role("button", name="修改密码").click()
    expect(page.get_by_role("alert")).to_contain_text("密码已修改")
    if shots := os.environ.get("FUPIN_SHOTS"):
        page.screenshot(path=f"{shots}/password-changed-{width}.png")
    context.close()
