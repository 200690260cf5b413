// Fills the "Based on your cart" block from the app proxy. No dependencies, deferred.
(function () {
  var sections = document.querySelectorAll("[data-pathwise-cart]");
  Array.prototype.forEach.call(sections, function (section) {
    var ids = section.getAttribute("data-product-ids");
    if (!ids) return;
    var url = section.getAttribute("data-endpoint") + "?product_ids=" + encodeURIComponent(ids) + "&limit=" + encodeURIComponent(section.getAttribute("data-limit") || "4");
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { products: [] }; })
      .then(function (data) {
        var list = section.querySelector("ul");
        (data.products || []).forEach(function (product) {
          var item = document.createElement("li");
          item.className = "pathwise-card";
          var link = document.createElement("a");
          link.className = "pathwise-card__link";
          link.href = product.url;
          if (product.image) {
            var image = document.createElement("img");
            image.src = product.image;
            image.alt = product.title;
            image.loading = "lazy";
            image.width = 360;
            image.height = 360;
            image.className = "pathwise-card__image";
            link.appendChild(image);
          }
          var title = document.createElement("span");
          title.className = "pathwise-card__title";
          title.textContent = product.title;
          link.appendChild(title);
          item.appendChild(link);
          if (product.price) {
            var price = document.createElement("p");
            price.className = "pathwise-card__price";
            price.textContent = product.price;
            item.appendChild(price);
          }
          if (product.available && product.variant_id) {
            var form = document.createElement("form");
            form.method = "post";
            form.action = section.getAttribute("data-cart-add");
            form.className = "pathwise-card__form";
            form.innerHTML = '<input type="hidden" name="id"><input type="hidden" name="quantity" value="1"><button type="submit" class="pathwise-card__button"></button>';
            form.querySelector('[name="id"]').value = product.variant_id;
            var button = form.querySelector("button");
            button.textContent = section.getAttribute("data-add-label");
            button.setAttribute("aria-label", section.getAttribute("data-add-aria").replace("__TITLE__", product.title));
            item.appendChild(form);
          }
          list.appendChild(item);
        });
        if (list.children.length) section.hidden = false;
      })
      .catch(function () { /* suggestions are optional: the cart works without them */ });
  });
})();
